-- Cluster totals per reporting year: the cluster is its members of THAT year
-- (ref_cluster_membership), so 2024 counts Hà Giang 02 and Lào Cai 10, 2025 Tuyên Quang 08 and
-- Lào Cai 15.
{{ group_year_totals(
    members=ref('int_cluster_member_years'),
    dissemination=ref('fct_dissemination'),
    mediation=ref('fct_mediation'),
    enforcement=ref('fct_enforcement'),
) }}

-- National totals per reporting year over every province of that year (the Ministry's view).
{{ group_year_totals(
    members=ref('int_province_years'),
    dissemination=ref('fct_dissemination'),
    mediation=ref('fct_mediation'),
    enforcement=ref('fct_enforcement'),
) }}

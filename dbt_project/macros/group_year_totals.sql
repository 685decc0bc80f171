{#
    Totals per reporting year over a group of provinces (the cluster's members of that year, or
    the whole country): every count of the three facts summed under the same column name, and
    the rates recomputed from the totals, never averaged. `members` is a relation with
    (province_code, year); dissemination, mediation, enforcement are the three facts'
    relations (fct_dissemination, fct_mediation, fct_enforcement). A year appears when at
    least one member reported any form.
    Sums follow SQL: a figure a province left empty adds nothing, NULL when no member reported
    it; how complete a year is shows in member_province_count / reporting_province_count.
#}
{% macro group_year_totals(members, dissemination, mediation, enforcement) %}
{%- set dissemination_columns = var('dissemination_indicators') %}
{%- set mediation_columns = var('mediation_count_indicators') %}
{%- set enforcement_columns = enforcement_count_columns() %}
with members as (
    select province_code, year from {{ members }}
),

dissemination as (
    select fct.*
    from {{ dissemination }} as fct
    inner join members
        on members.province_code = fct.province_code and members.year = fct.year
),

mediation as (
    select fct.*
    from {{ mediation }} as fct
    inner join members
        on members.province_code = fct.province_code and members.year = fct.year
),

enforcement as (
    select fct.*
    from {{ enforcement }} as fct
    inner join members
        on members.province_code = fct.province_code and members.year = fct.year
),

member_counts as (
    select
        year,
        count(distinct province_code) as member_province_count,
        string_agg(distinct province_code, ',' order by province_code) as member_province_codes
    from members
    group by year
),

reporting as (
    select province_code, year from dissemination
    union
    select province_code, year from mediation
    union
    select province_code, year from enforcement
),

reporting_counts as (
    select
        year,
        count(distinct province_code) as reporting_province_count,
        string_agg(distinct province_code, ',' order by province_code)
            as reporting_province_codes
    from reporting
    group by year
),

dissemination_totals as (
    select
        year,
        count(*) as dissemination_province_count,
        {% for column in dissemination_columns -%}
        cast(sum({{ column }}) as bigint) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from dissemination
    group by year
),

mediation_totals as (
    select
        year,
        count(*) as mediation_province_count,
        {% for column in mediation_columns -%}
        cast(sum({{ column }}) as bigint) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from mediation
    group by year
),

enforcement_totals as (
    select
        year,
        count(*) as enforcement_province_count,
        {% for column in enforcement_columns -%}
        cast(sum({{ column }}) as bigint) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from enforcement
    group by year
),

final as (
    select
        reporting_counts.year,
        cast(member_counts.member_province_count as integer) as member_province_count,
        cast(reporting_counts.reporting_province_count as integer) as reporting_province_count,
        member_counts.member_province_codes,
        reporting_counts.reporting_province_codes,
        cast(coalesce(dissemination_totals.dissemination_province_count, 0) as integer)
            as dissemination_province_count,
        cast(coalesce(mediation_totals.mediation_province_count, 0) as integer)
            as mediation_province_count,
        cast(coalesce(enforcement_totals.enforcement_province_count, 0) as integer)
            as enforcement_province_count,
        {% for column in dissemination_columns -%}
        dissemination_totals.{{ column }},
        {% endfor -%}
        {% for column in mediation_columns -%}
        mediation_totals.{{ column }},
        {% endfor -%}
        {{ public_rate(percentage(
            'mediation_totals.cases_successful', 'mediation_totals.cases_received'
        )) }} as success_rate,
        {% for column in enforcement_columns -%}
        enforcement_totals.{{ column }},
        {% endfor -%}
        {{ public_rate(percentage(
            'enforcement_totals.cases_resolved', 'enforcement_totals.cases_eligible'
        )) }} as case_resolution_rate,
        {{ public_rate(percentage(
            'enforcement_totals.money_resolved', 'enforcement_totals.money_eligible'
        )) }} as money_resolution_rate
    from reporting_counts
    inner join member_counts
        on member_counts.year = reporting_counts.year
    left join dissemination_totals
        on dissemination_totals.year = reporting_counts.year
    left join mediation_totals
        on mediation_totals.year = reporting_counts.year
    left join enforcement_totals
        on enforcement_totals.year = reporting_counts.year
)

select * from final
{% endmacro %}

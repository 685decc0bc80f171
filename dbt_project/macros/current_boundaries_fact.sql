{#
    Re-aggregate a province-year fact to today's provinces, for like-for-like series across the
    2025 mergers: every row is mapped to the province its territory belongs to today
    (int_province_current_mapping, read as valid at the end of the reporting period of
    `period_form`), counts are summed over the predecessors that reported (SQL sum: a unit that
    left a figure empty adds nothing; NULL when none reported it), and rates are recomputed
    from the sums, never averaged. Completeness is explicit: source_province_count against
    territory_province_count (how many provinces existed on the territory that year).

    facts, periods, province_mapping: relations (the fact, int_reporting_periods,
    int_province_current_mapping); rates: list of [rate column, numerator column, denominator
    column].
#}
{% macro current_boundaries_fact(
    facts, periods, province_mapping, count_columns, rates, period_form
) %}
with facts as (
    select * from {{ facts }}
),

periods as (
    select year, period_end
    from {{ periods }}
    where form = '{{ period_form }}'
),

province_mapping as (
    select * from {{ province_mapping }}
),

current_names as (
    select
        current_province_code,
        max(current_province_name) as current_province_name
    from province_mapping
    group by current_province_code
),

territories as (
    select
        periods.year,
        province_mapping.current_province_code,
        count(distinct province_mapping.province_code) as territory_province_count
    from periods
    inner join province_mapping
        on periods.period_end
            between province_mapping.effective_from and province_mapping.effective_to
    group by periods.year, province_mapping.current_province_code
),

summed as (
    select
        current_province_code,
        year,
        {% for column in count_columns -%}
        cast(sum({{ column }}) as bigint) as {{ column }},
        {% endfor -%}
        string_agg(distinct province_code, ',' order by province_code) as source_province_codes,
        count(distinct province_code) as source_province_count,
        string_agg(distinct unit_code, ',' order by unit_code) as source_unit_codes,
        count(distinct unit_code) as source_unit_count
    from facts
    group by current_province_code, year
),

final as (
    select
        summed.current_province_code,
        current_names.current_province_name,
        summed.year,
        {% for column in count_columns -%}
        summed.{{ column }},
        {% endfor -%}
        {% for rate in rates -%}
        {{ public_rate(percentage('summed.' ~ rate[1], 'summed.' ~ rate[2])) }} as {{ rate[0] }},
        {% endfor -%}
        summed.source_province_codes,
        cast(summed.source_province_count as integer) as source_province_count,
        summed.source_unit_codes,
        cast(summed.source_unit_count as integer) as source_unit_count,
        cast(coalesce(territories.territory_province_count, summed.source_province_count)
            as integer) as territory_province_count,
        summed.source_province_count
            >= coalesce(territories.territory_province_count, summed.source_province_count)
            as is_complete_territory
    from summed
    left join current_names
        on current_names.current_province_code = summed.current_province_code
    left join territories
        on territories.current_province_code = summed.current_province_code
        and territories.year = summed.year
)

select * from final
{% endmacro %}

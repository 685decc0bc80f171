{#
    One row per unit and year (and form, when `forms` has several) from int_unit_totals' long
    rows: the winning submission's lineage from `winners` (int_winning_submissions) and one
    column per indicator of `indicators` from `unit_totals` (int_unit_totals). An indicator the
    unit did not report has no row, so its column is NULL (never 0).

    reported_rate: the form's rate indicator (e.g. success_rate), kept as the unit printed it:
    reported_<rate> and reported_<rate>_decimals (the printed precision the quality rules
    compare at). Rates are never pivoted as counts.
#}
{% macro pivot_indicators(winners, unit_totals, forms, indicators, reported_rate=none) %}
{%- set form_list = [] %}
{%- for form in forms %}
    {%- do form_list.append("'" ~ form ~ "'") %}
{%- endfor %}
with winners as (
    select * from {{ winners }}
    where form in ({{ form_list | join(', ') }})
),

unit_totals as (
    select * from {{ unit_totals }}
    where form in ({{ form_list | join(', ') }})
),

pivoted as (
    select
        submission_id,
        {% for indicator in indicators -%}
            {{ pivot_indicator(indicator) }}{{ ',' if reported_rate or not loop.last }}
        {% endfor -%}
        {% if reported_rate -%}
            {{ pivot_indicator(
                reported_rate, 'double precision', alias='reported_' ~ reported_rate
            ) }},
            {{ pivot_indicator(
                reported_rate, 'integer', column='decimals',
                alias='reported_' ~ reported_rate ~ '_decimals'
            ) }}
        {% endif %}
    from unit_totals
    group by submission_id
),

final as (
    select
        winners.unit_code,
        winners.province_code,
        winners.year,
        {% if forms | length > 1 -%}
            winners.form,
        {% endif -%}
        winners.submission_id,
        {% for indicator in indicators -%}
            pivoted.{{ indicator }},
        {% endfor -%}
        {% if reported_rate -%}
            pivoted.reported_{{ reported_rate }},
            pivoted.reported_{{ reported_rate }}_decimals,
        {% endif -%}
        winners.unit_name,
        winners.unit_display_name,
        winners.province_name,
        winners.current_province_code,
        winners.current_province_name,
        winners.unit_key,
        winners.province_key,
        winners.sha256,
        winners.source_file,
        winners.received_at,
        winners.loaded_at,
        winners.report_date
    from winners
    left join pivoted
        on pivoted.submission_id = winners.submission_id
)

select * from final
{% endmacro %}

{#
    One indicator of int_unit_totals' long rows as a column: max() over the submission's rows,
    filtered to the indicator (at most one row per submission and indicator).
#}
{% macro pivot_indicator(indicator, data_type='bigint', column='value', alias=none) -%}
    cast(max({{ column }}) filter (where indicator = '{{ indicator }}') as {{ data_type }})
        as {{ alias or indicator }}
{%- endmacro %}

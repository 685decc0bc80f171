{#
    Turn int_unit_totals' long rows (one per indicator) into one column per indicator.
    An indicator the unit did not report has no row, so its column is NULL (never 0).
#}
{% macro pivot_indicator(indicator, data_type='bigint', column='value', alias=none) -%}
    cast(max({{ column }}) filter (where indicator = '{{ indicator }}') as {{ data_type }})
        as {{ alias or indicator }}
{%- endmacro %}

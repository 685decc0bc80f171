{#
    dbt's own get_empty_schema_sql (the typed empty select behind an enforced contract), on
    PostgreSQL without its warning for a bare `numeric`: the public rates are numeric on purpose
    (macro public_rate). PostgreSQL's unconstrained numeric keeps every digit it is given, so
    the "unintended rounding" dbt warns of cannot happen, and a precision would round the rates
    or pad them with zeros. Everything else is dbt's macro as it is (dbt-core 1.11).
#}
{% macro postgres__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
        {%- set col = columns[i] -%}
        {%- if col['data_type'] is not defined -%}
            {%- do col_err.append(col['name']) -%}
        {%- endif -%}
        {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
        {{ cast('null', col['data_type']) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
        {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}

{#
    Aggregates DuckDB has and PostgreSQL spells otherwise (dispatched on the adapter;
    `duckdb__` is the SQL the DuckDB warehouse has always run).
#}

{# The value of `value` on the row with the largest `ordering` (DuckDB's arg_max). #}
{% macro arg_max(value, ordering) -%}
    {{ return(adapter.dispatch('arg_max', 'tuphap')(value, ordering)) }}
{%- endmacro %}

{% macro default__arg_max(value, ordering) -%}
    (array_agg({{ value }} order by {{ ordering }} desc))[1]
{%- endmacro %}

{% macro duckdb__arg_max(value, ordering) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}

{# The median, interpolated between the two middle values of an even count. #}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#
    The JSON documents of the quality models (values_json, context_json), built the same way on
    both engines: the same keys in the same order, the same values. The text itself may differ
    in spacing and in how a float is spelt (DuckDB writes 1200.0, PostgreSQL 1200): the readers
    parse it (orchestration/quality; issue fingerprints use canonical values).
    Dispatched on the adapter; `duckdb__` is the SQL the DuckDB warehouse has always run.

    `pairs` / `fields`: a list of (key, SQL expression), in the document's order.
#}

{# A JSON object, as text. #}
{% macro json_object_text(pairs) -%}
    {{ return(adapter.dispatch('json_object_text', 'tuphap')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    cast(json_build_object(
        {%- for key, expression in pairs %}
        {{ json_key(key) }}, {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        {{ json_key(key) }}, {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{# An aggregate: one object of `fields` per row, listed in `order_by` order. #}
{% macro json_list_agg(fields, order_by) -%}
    {{ return(adapter.dispatch('json_list_agg', 'tuphap')(fields, order_by)) }}
{%- endmacro %}

{% macro default__json_list_agg(fields, order_by) -%}
    json_agg(
        json_build_object(
            {%- for key, expression in fields %}
            {{ json_key(key) }}, {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) order by {{ order_by }}
    )
{%- endmacro %}

{% macro duckdb__json_list_agg(fields, order_by) -%}
    list(
        struct_pack(
            {%- for key, expression in fields %}
            {{ key }} := {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) order by {{ order_by }}
    )
{%- endmacro %}

{# json_list_agg()'s result as a value inside json_object_text(). #}
{% macro json_list_value(expression) -%}
    {{ return(adapter.dispatch('json_list_value', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__json_list_value(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro duckdb__json_list_value(expression) -%}
    to_json({{ expression }})
{%- endmacro %}

{# A field of the first object of json_list_agg()'s result, as text. #}
{% macro json_list_first_field(expression, field) -%}
    {{ return(adapter.dispatch('json_list_first_field', 'tuphap')(expression, field)) }}
{%- endmacro %}

{% macro default__json_list_first_field(expression, field) -%}
    ({{ expression }} -> 0 ->> {{ json_key(field) }})
{%- endmacro %}

{% macro duckdb__json_list_first_field(expression, field) -%}
    {{ expression }}[1].{{ field }}
{%- endmacro %}

{#
    A timestamp with time zone as a JSON value: its text in the session's time zone, as DuckDB
    writes it ("2025-01-05 08:00:00+07"; PostgreSQL's JSON would write "2025-01-05T08:00:00+07:00").
#}
{% macro json_timestamp(expression) -%}
    {{ return(adapter.dispatch('json_timestamp', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__json_timestamp(expression) -%}
    cast({{ expression }} as varchar)
{%- endmacro %}

{% macro duckdb__json_timestamp(expression) -%}
    {{ expression }}
{%- endmacro %}

{# A key of the catalogue's documents as a SQL string literal. #}
{% macro json_key(key) -%}
    '{{ key | replace("'", "''") }}'
{%- endmacro %}

{#
    Text handling that differs between the engines (dispatched on the adapter; `duckdb__` is the
    SQL the DuckDB warehouse has always run).
#}

{#
    A delimited text as a varchar list: NULL or '' -> an empty list ('' would otherwise be one
    empty item on DuckDB and no item on PostgreSQL).
#}
{% macro split_to_text_list(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_to_text_list', 'tuphap')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_text_list(expression, delimiter) -%}
    case
        when {{ expression }} is null or {{ expression }} = '' then cast(array[] as varchar[])
        else cast(string_to_array({{ expression }}, '{{ delimiter }}') as varchar[])
    end
{%- endmacro %}

{% macro duckdb__split_to_text_list(expression, delimiter) -%}
    case
        when {{ expression }} is null or {{ expression }} = '' then []::varchar[]
        else string_split({{ expression }}, '{{ delimiter }}')
    end
{%- endmacro %}

{#
    A text sort key that orders by bytes, whatever the database's collation: DuckDB always
    does; a PostgreSQL database created with a language's collation (en_US.UTF-8 ignores
    punctuation: "a_b.xlsx" after "a_bc.xlsx") would otherwise break ties differently. For an
    ORDER BY whose order decides a result (a winner, a list's order), not for equality.
#}
{% macro bytewise(expression) -%}
    {{ return(adapter.dispatch('bytewise', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__bytewise(expression) -%}
    {{ expression }} collate "C"
{%- endmacro %}

{% macro duckdb__bytewise(expression) -%}
    {{ expression }}
{%- endmacro %}

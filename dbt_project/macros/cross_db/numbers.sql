{#
    Exact whole-number arithmetic and rounding as people print numbers, on both engines. Each
    macro dispatches on the adapter (`duckdb__` keeps the SQL the DuckDB warehouse has always
    run; `default__` is PostgreSQL's, and standard SQL's).
    An 8-byte float needs no macro: `double precision` is DuckDB's DOUBLE too (and
    dbt.type_float() would be a 4-byte FLOAT on DuckDB).
#}

{# An integer expression cast to a type wide enough for products of counts (no overflow). #}
{% macro exact_integer(expression) -%}
    {{ return(adapter.dispatch('exact_integer', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__exact_integer(expression) -%}
    cast({{ expression }} as numeric)
{%- endmacro %}

{% macro duckdb__exact_integer(expression) -%}
    cast({{ expression }} as hugeint)
{%- endmacro %}

{# Whole-number division truncated toward zero, of two exact_integer() operands. #}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'tuphap')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    {{ dividend }} // {{ divisor }}
{%- endmacro %}

{#
    A float rounded to a whole number, halves away from zero (2,5 -> 3; -2,5 -> -3), as DuckDB's
    round() does. PostgreSQL's round(double precision) rounds halves to even (2,5 -> 2), so
    the quality rules that compare a printed rate (ENF-08, MED-03) would differ between the
    engines without this.
#}
{% macro round_half_away_from_zero(expression) -%}
    {{ return(adapter.dispatch('round_half_away_from_zero', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__round_half_away_from_zero(expression) -%}
    (sign({{ expression }}) * floor(abs({{ expression }}) + 0.5))
{%- endmacro %}

{% macro duckdb__round_half_away_from_zero(expression) -%}
    round({{ expression }})
{%- endmacro %}

{#
    A public rate (a percentage) as analysts get it: numeric on PostgreSQL, where round(rate, 2)
    needs it (round(double precision, integer) does not exist there) and ODBC shows its digits
    rather than a float's 16; DuckDB's 8-byte float, whose round(rate, 2) works, everywhere else.
    Computed as a float first on both engines, then on PostgreSQL written out as its shortest
    exact digits (float text output, PostgreSQL 12+) and read as numeric, so the values are the
    DuckDB float's to the last digit (a direct cast keeps only 15 digits). The yml declares the
    type per engine: "{{ 'numeric' if target.type == 'postgres' else 'double precision' }}".
#}
{% macro public_rate(expression) -%}
    {{ return(adapter.dispatch('public_rate', 'tuphap')(expression)) }}
{%- endmacro %}

{% macro default__public_rate(expression) -%}
    cast(cast({{ expression }} as varchar) as numeric)
{%- endmacro %}

{% macro duckdb__public_rate(expression) -%}
    {{ expression }}
{%- endmacro %}

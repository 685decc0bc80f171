{#
    A rate on the 0-100 scale computed from counts, unrounded (analysts round when they print).
    NULL when the denominator is 0 or not reported, or the numerator is not reported: a rate is
    never invented from missing figures.
#}
{% macro percentage(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else 100.0::double precision * {{ numerator }} / {{ denominator }}
    end
{%- endmacro %}

{#
    The key of a dimension row (dim_unit.unit_key, dim_province.province_key): its code and the
    first day of its validity, '10:' for a row valid from the start, '15:2025-07-01' for the
    Lào Cai of the 2025 merger. Spelt here once, so a fact can carry the key of the row valid
    for its year without reading the dimension.
#}
{% macro dimension_key(code, valid_from) -%}
    {{ code }} || ':' || coalesce(cast({{ valid_from }} as varchar), '')
{%- endmacro %}

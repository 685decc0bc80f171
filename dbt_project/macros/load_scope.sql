{#
    The load's scope (var tuphap_scope, from TUPHAP_SCOPE): 'cluster' (default), the cluster's
    members of each year, or 'national', every unit valid that year. Anything else fails the
    compilation, so a typo never silently expects nobody.
#}
{% macro load_scope() -%}
    {%- set scope = var('tuphap_scope', 'cluster') | string | trim | lower -%}
    {%- if scope not in ('cluster', 'national') -%}
        {{ exceptions.raise_compiler_error(
            "tuphap_scope must be 'cluster' or 'national', not '" ~ scope ~ "'") }}
    {%- endif -%}
    {{ return(scope) }}
{%- endmacro %}

{#
    Use a model's custom schema verbatim (staging, intermediate, reference, quality, main)
    instead of dbt's default "<target schema>_<custom schema>" concatenation, so the warehouse
    has stable, readable schema names whatever the target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

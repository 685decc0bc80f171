{#
    Use a model's custom schema verbatim (staging, intermediate, reference, quality, main)
    instead of dbt's default "<target schema>_<custom schema>" concatenation, so the warehouse
    has stable, readable schema names whatever the target.

    TUPHAP_SCHEMA_SUFFIX (empty on DuckDB): a PostgreSQL load builds into `<schema>__build`
    and renames those schemas into place when it publishes (orchestration/warehouse/pgpublish.py).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}{{ env_var('TUPHAP_SCHEMA_SUFFIX', '') }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ env_var('TUPHAP_SCHEMA_SUFFIX', '') }}
    {%- endif -%}
{%- endmacro %}

{#
    The count columns of fct_enforcement: every enforcement indicator once per form, THADS_VIEC
    as cases_<indicator> and THADS_TIEN as money_<indicator>, in the fact's column order.
#}
{% macro enforcement_count_columns() %}
    {%- set columns = [] %}
    {%- for prefix in ['cases_', 'money_'] %}
        {%- for indicator in var('enforcement_count_indicators') %}
            {%- do columns.append(prefix ~ indicator) %}
        {%- endfor %}
    {%- endfor %}
    {{- return(columns) }}
{% endmacro %}

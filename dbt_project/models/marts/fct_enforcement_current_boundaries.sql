-- Civil judgment enforcement re-aggregated to today's provinces; rates from the sums.
{%- set counts = [] %}
{%- for prefix in ['cases_', 'money_'] %}
    {%- for indicator in var('enforcement_count_indicators') %}
        {%- do counts.append(prefix ~ indicator) %}
    {%- endfor %}
{%- endfor %}
{{ current_boundaries_fact(
    'fct_enforcement',
    counts,
    [
        ['case_resolution_rate', 'cases_resolved', 'cases_eligible'],
        ['money_resolution_rate', 'money_resolved', 'money_eligible'],
    ],
    'THADS_VIEC'
) }}

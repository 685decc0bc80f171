-- Civil judgment enforcement re-aggregated to today's provinces; rates from the sums.
{{ current_boundaries_fact(
    facts=ref('fct_enforcement'),
    periods=ref('int_reporting_periods'),
    province_mapping=ref('int_province_current_mapping'),
    count_columns=enforcement_count_columns(),
    rates=[
        ['case_resolution_rate', 'cases_resolved', 'cases_eligible'],
        ['money_resolution_rate', 'money_resolved', 'money_eligible'],
    ],
    period_form='THADS_VIEC',
) }}

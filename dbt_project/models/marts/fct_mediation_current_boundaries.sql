-- Grassroots mediation re-aggregated to today's provinces; success_rate from the sums.
{{ current_boundaries_fact(
    facts=ref('fct_mediation'),
    periods=ref('int_reporting_periods'),
    province_mapping=ref('int_province_current_mapping'),
    count_columns=var('mediation_count_indicators'),
    rates=[['success_rate', 'cases_successful', 'cases_received']],
    period_form='HOAGIAI',
) }}

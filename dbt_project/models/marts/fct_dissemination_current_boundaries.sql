-- Legal dissemination re-aggregated to today's provinces (like-for-like across the 2025 mergers).
{{ current_boundaries_fact(
    facts=ref('fct_dissemination'),
    periods=ref('int_reporting_periods'),
    province_mapping=ref('int_province_current_mapping'),
    count_columns=var('dissemination_indicators'),
    rates=[],
    period_form='PBGDPL',
) }}

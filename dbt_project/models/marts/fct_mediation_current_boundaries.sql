-- Grassroots mediation re-aggregated to today's provinces; success_rate from the sums.
{{ current_boundaries_fact(
    'fct_mediation',
    var('mediation_count_indicators'),
    [['success_rate', 'cases_successful', 'cases_received']],
    'HOAGIAI'
) }}

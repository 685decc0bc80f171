-- Legal dissemination re-aggregated to today's provinces (like-for-like across the 2025 mergers).
{{ current_boundaries_fact(
    'fct_dissemination',
    var('dissemination_indicators'),
    [],
    'PBGDPL'
) }}

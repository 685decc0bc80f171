-- Legal dissemination (phổ biến, giáo dục pháp luật, form PBGDPL): one row per STP unit and
-- year, from its winning submission. A figure the unit left empty stays NULL.
{{ pivot_indicators(
    winners=ref('int_winning_submissions'),
    unit_totals=ref('int_unit_totals'),
    forms=['PBGDPL'],
    indicators=var('dissemination_indicators'),
) }}

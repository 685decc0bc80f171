-- Grassroots mediation (hòa giải cơ sở, form HOAGIAI): one row per STP unit and year, from its
-- winning submission. reported_success_rate is the unit's own figure, with its printed precision.
{{ pivot_indicators(
    winners=ref('int_winning_submissions'),
    unit_totals=ref('int_unit_totals'),
    forms=['HOAGIAI'],
    indicators=var('mediation_count_indicators'),
    reported_rate='success_rate',
) }}

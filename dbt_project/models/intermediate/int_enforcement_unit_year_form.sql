-- Civil judgment enforcement (thi hành án dân sự): one row per THADS unit, year and form
-- (THADS_VIEC by case, THADS_TIEN by money in thousand VND), from its winning submission.
{{ pivot_indicators(
    winners=ref('int_winning_submissions'),
    unit_totals=ref('int_unit_totals'),
    forms=['THADS_VIEC', 'THADS_TIEN'],
    indicators=var('enforcement_count_indicators'),
    reported_rate='resolution_rate',
) }}

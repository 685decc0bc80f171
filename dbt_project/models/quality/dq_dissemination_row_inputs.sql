-- Inputs of the dissemination row rule DIS-01 (sessions <= attendees <= 1.000 x sessions),
-- checked by the Great Expectations suite of expectations/suites.py: one row per STP unit and
-- year (form PBGDPL), from the winning submission. The lower bound is a column-pair
-- expectation; the upper bound is prepared here as an excess that must be <= 0 (NULL, hence
-- skipped, when either figure is not reported).
with dissemination as (
    select * from {{ ref('int_dissemination_unit_year') }}
),

final as (
    select
        unit_code,
        province_code,
        year,
        'PBGDPL' as form,
        submission_id,
        unit_display_name,
        sessions,
        attendees,
        documents,
        legal_reporters,
        legal_propagandists,
        attendees - 1000 * sessions as dis01_upper_excess
    from dissemination
)

select * from final

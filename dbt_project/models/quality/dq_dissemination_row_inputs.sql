-- Inputs of the dissemination row rule DIS-01 (sessions <= attendees <= 1.000 x sessions),
-- checked by the Great Expectations suite of expectations/suites.py: one row per STP unit and
-- year (form PBGDPL), from the winning submission. The lower bound compares two columns; the
-- upper bound's prepared column is generated from the catalogue (meta.rules in
-- _quality__row_rules.yml) by row_rule_columns() (macros/quality/quality_rules.sql).
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
        -- then the prepared columns of the rules in meta.rules
        legal_propagandists{{ row_rule_columns() }}
    from dissemination
)

select * from final

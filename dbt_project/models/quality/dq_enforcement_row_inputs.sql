-- Inputs of the enforcement row rules ENF-01..ENF-08, checked by the Great Expectations suite
-- of expectations/suites.py: one row per THADS unit, year and form (THADS_VIEC and THADS_TIEN),
-- from the winning submission, with the prepared column of each rule that needs one. The rules
-- and their arithmetic are the catalogue (meta.rules in _quality__row_rules.yml): the columns
-- are generated from it by row_rule_columns() (macros/quality/quality_rules.sql).
with enforcement as (
    select * from {{ ref('int_enforcement_unit_year_form') }}
),

final as (
    select
        unit_code,
        province_code,
        year,
        form,
        submission_id,
        unit_display_name,
        carried_over,
        new,
        accepted,
        entrusted,
        revoked,
        to_enforce,
        eligible,
        not_eligible,
        completed,
        terminated,
        resolved,
        carried_forward,
        reported_resolution_rate,
        -- then the prepared columns of the rules in meta.rules
        reported_resolution_rate_decimals{{ row_rule_columns() }}
    from enforcement
)

select * from final

-- Inputs of the mediation row rules MED-01..MED-03, checked by the Great Expectations suite of
-- expectations/suites.py: one row per STP unit and year (form HOAGIAI), from the winning
-- submission, with the prepared columns generated from the catalogue (meta.rules in
-- _quality__row_rules.yml) by row_rule_columns() (macros/quality/quality_rules.sql).
with mediation as (
    select * from {{ ref('int_mediation_unit_year') }}
),

final as (
    select
        unit_code,
        province_code,
        year,
        'HOAGIAI' as form,
        submission_id,
        unit_display_name,
        teams,
        mediators,
        cases_received,
        cases_successful,
        cases_unsuccessful,
        cases_pending,
        reported_success_rate,
        -- then the prepared columns of the rules in meta.rules
        reported_success_rate_decimals{{ row_rule_columns() }}
    from mediation
)

select * from final

-- Whether each unit in scope reached each target assigned to it for the year (domain.md,
-- "Targets"): one row per unit, year and targeted indicator. The actual rate is recomputed from
-- the counts of the unit's winning report, exactly as in fct_enforcement / fct_mediation, and
-- compared unrounded with the target as written (macro meets_target). A unit that did not
-- report (or reported no eligible cases) has a NULL actual, margin and achieved.
with targets as (
    select * from {{ ref('int_unit_targets') }}
),

enforcement as (
    select * from {{ ref('int_enforcement_unit_year_form') }}
),

mediation as (
    select * from {{ ref('int_mediation_unit_year') }}
),

-- the counts each targeted rate is computed from, per unit and year
actuals as (
    select
        unit_code,
        year,
        case
            when form = 'THADS_VIEC' then 'case_resolution_rate'
            else 'money_resolution_rate'
        end as indicator,
        resolved as numerator,
        eligible as denominator,
        submission_id,
        source_file,
        sha256,
        received_at
    from enforcement
    union all
    select
        unit_code,
        year,
        'success_rate' as indicator,
        cases_successful as numerator,
        cases_received as denominator,
        submission_id,
        source_file,
        sha256,
        received_at
    from mediation
),

compared as (
    select
        targets.*,
        actuals.numerator,
        actuals.denominator,
        {{ percentage('actuals.numerator', 'actuals.denominator') }} as actual,
        {{ meets_target(
            'actuals.numerator', 'actuals.denominator', 'targets.comparator', 'targets.target',
            'targets.target_decimals'
        ) }} as achieved,
        actuals.submission_id as actual_submission_id,
        actuals.source_file as actual_source_file,
        actuals.sha256 as actual_sha256,
        actuals.received_at as actual_received_at
    from targets
    left join actuals
        on actuals.unit_code = targets.unit_code
        and actuals.year = targets.year
        and actuals.indicator = targets.indicator
),

final as (
    select
        compared.unit_code,
        compared.province_code,
        compared.year,
        compared.indicator,
        compared.comparator,
        {{ public_rate('compared.target') }} as target,
        {{ public_rate('compared.actual') }} as actual,
        {{ public_rate('compared.actual - compared.target') }} as margin,
        compared.achieved,
        compared.decision_number,
        compared.decision_date,
        compared.unit_key,
        compared.province_key,
        compared.unit_type,
        compared.unit_name,
        compared.unit_display_name,
        compared.target_decimals,
        compared.target_level,
        compared.numerator as actual_numerator,
        compared.denominator as actual_denominator,
        compared.issuer,
        compared.decision_id,
        compared.source_file as decision_source_file,
        compared.sha256 as decision_sha256,
        compared.source_cell as target_source_cell,
        compared.received_at as decision_received_at,
        compared.actual_submission_id,
        compared.actual_source_file,
        compared.actual_sha256,
        compared.actual_received_at
    from compared
)

select * from final

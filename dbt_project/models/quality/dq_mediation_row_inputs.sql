-- Inputs of the mediation row rules MED-01..MED-03 (quality-rules.md), checked by the Great
-- Expectations suite of expectations/suites.py: one row per STP unit and year (form HOAGIAI),
-- from the winning submission. Differences are NULL, hence skipped by GX, when an operand is
-- not reported.
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
        reported_success_rate_decimals,
        -- MED-01: cases_received = cases_successful + cases_unsuccessful + cases_pending
        cases_received - (cases_successful + cases_unsuccessful + cases_pending) as med01_diff,
        -- MED-03: the reported rate against 100 * successful / received rounded (half up) to the
        -- printed precision, as whole numbers of the last printed digit (see ENF-08).
        case
            when reported_success_rate is null
                or reported_success_rate_decimals is null
                or cases_successful is null
                or cases_received is null
                or cases_received = 0
                then null
            else cast(
                cast(round(
                    reported_success_rate * pow(10, reported_success_rate_decimals)
                ) as hugeint)
                - (
                    200 * cast(cases_successful as hugeint)
                    * cast(pow(10, reported_success_rate_decimals) as hugeint)
                    + cast(cases_received as hugeint)
                ) // (2 * cast(cases_received as hugeint))
                as bigint)
        end as med03_diff,
        {{ percentage('cases_successful', 'cases_received') }} as computed_success_rate
    from mediation
)

select * from final

-- Inputs of the enforcement row rules ENF-01..ENF-08 (quality-rules.md), checked by the Great
-- Expectations suite of expectations/suites.py: one row per THADS unit, year and form
-- (THADS_VIEC and THADS_TIEN), from the winning submission.
--
-- GX has no expectation for "a = b + c", so each identity is prepared here as a difference that
-- must be 0. A rule whose operands are not all reported is skipped for the row: SQL arithmetic
-- turns a difference with a NULL operand into NULL, and the GX expectations ignore NULLs
-- (ENF-05/06 compare two columns with ignore_row_if = either_value_is_missing).
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
        "new",
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
        reported_resolution_rate_decimals,
        -- ENF-01: accepted = carried_over + new
        accepted - (carried_over + "new") as enf01_diff,
        -- ENF-02: to_enforce = accepted - entrusted - revoked
        to_enforce - (accepted - entrusted - revoked) as enf02_diff,
        -- ENF-03: to_enforce = eligible + not_eligible
        to_enforce - (eligible + not_eligible) as enf03_diff,
        -- ENF-04: resolved = completed + terminated
        resolved - (completed + terminated) as enf04_diff,
        -- ENF-07: carried_forward = to_enforce - resolved
        carried_forward - (to_enforce - resolved) as enf07_diff,
        -- ENF-08: the reported rate against 100 * resolved / eligible rounded (half up) to the
        -- precision the unit printed ("85" -> 0 decimals, "89,68" -> 2), both as whole numbers
        -- of the last printed digit, in exact integer arithmetic. Skipped (NULL) when the rate,
        -- an operand or a non-zero denominator is missing.
        case
            when reported_resolution_rate is null
                or reported_resolution_rate_decimals is null
                or resolved is null
                or eligible is null
                or eligible = 0
                then null
            else cast(
                cast(round(
                    reported_resolution_rate * pow(10, reported_resolution_rate_decimals)
                ) as hugeint)
                - (
                    200 * cast(resolved as hugeint)
                    * cast(pow(10, reported_resolution_rate_decimals) as hugeint)
                    + cast(eligible as hugeint)
                ) // (2 * cast(eligible as hugeint))
                as bigint)
        end as enf08_diff,
        {{ percentage('resolved', 'eligible') }} as computed_resolution_rate
    from enforcement
)

select * from final

-- The unit total of every indicator of every winning submission.
--
-- report-format.md: when a report has a total row ("Tổng cộng"), the total is what the unit
-- reports (a difference from its sub-units is quality rule GEN-02's business, not ours); with no
-- total row, the unit total is the sum of the sub-unit rows. Decided per indicator.
-- Rates are percentages, not additive: their sub-unit sum is never computed (subunit_sum is
-- null), and a rate without a total row has no unit value, so it gets no row here.
with winners as (
    select * from {{ ref('int_winning_submissions') }}
),

submission_values as (
    select * from {{ ref('stg_raw__submission_values') }}
),

per_indicator as (
    select
        submission_values.submission_id,
        submission_values.indicator,
        submission_values.indicator in (
            {%- for rate in var('rate_indicators') %}
                '{{ rate }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_rate,
        bool_or(submission_values.is_total_row) as has_total_row,
        max(submission_values.value) filter (where submission_values.is_total_row)
            as reported_total,
        max(submission_values.decimals) filter (where submission_values.is_total_row)
            as reported_total_decimals,
        sum(submission_values.value) filter (where not submission_values.is_total_row)
            as subunit_value_sum,
        max(submission_values.decimals) filter (where not submission_values.is_total_row)
            as subunit_decimals,
        count(*) filter (where not submission_values.is_total_row) as subunit_count
    from submission_values
    inner join winners
        on winners.submission_id = submission_values.submission_id
    group by submission_values.submission_id, submission_values.indicator
),

final as (
    select
        winners.submission_id,
        winners.unit_code,
        winners.unit_type,
        winners.province_code,
        winners.year,
        winners.form,
        per_indicator.indicator,
        per_indicator.is_rate,
        case
            when per_indicator.has_total_row then per_indicator.reported_total
            else per_indicator.subunit_value_sum
        end as value,
        cast(case
            when per_indicator.has_total_row then per_indicator.reported_total_decimals
            else per_indicator.subunit_decimals
        end as integer) as decimals,
        per_indicator.reported_total,
        cast(per_indicator.reported_total_decimals as integer) as reported_total_decimals,
        case when not per_indicator.is_rate then per_indicator.subunit_value_sum end
            as subunit_sum,
        cast(per_indicator.subunit_decimals as integer) as subunit_decimals,
        cast(per_indicator.subunit_count as integer) as subunit_count,
        case when per_indicator.has_total_row then 'total_row' else 'subunit_sum' end
            as total_source
    from per_indicator
    inner join winners
        on winners.submission_id = per_indicator.submission_id
    where per_indicator.has_total_row or not per_indicator.is_rate
)

select * from final

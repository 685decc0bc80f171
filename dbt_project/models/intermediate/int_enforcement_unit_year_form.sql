-- Civil judgment enforcement (thi hành án dân sự): one row per THADS unit, year and form
-- (THADS_VIEC by case, THADS_TIEN by money in thousand VND), from its winning submission.
with winners as (
    select * from {{ ref('int_winning_submissions') }}
    where form in ('THADS_VIEC', 'THADS_TIEN')
),

unit_totals as (
    select * from {{ ref('int_unit_totals') }}
    where form in ('THADS_VIEC', 'THADS_TIEN')
),

pivoted as (
    select
        submission_id,
        {% for indicator in var('enforcement_count_indicators') -%}
        {{ pivot_indicator(indicator) }},
        {% endfor -%}
        {{ pivot_indicator('resolution_rate', 'double', alias='reported_resolution_rate') }},
        {{ pivot_indicator(
            'resolution_rate', 'integer', column='decimals',
            alias='reported_resolution_rate_decimals'
        ) }}
    from unit_totals
    group by submission_id
),

final as (
    select
        winners.unit_code,
        winners.province_code,
        winners.year,
        winners.form,
        winners.submission_id,
        {% for indicator in var('enforcement_count_indicators') -%}
        pivoted.{{ indicator }},
        {% endfor -%}
        pivoted.reported_resolution_rate,
        pivoted.reported_resolution_rate_decimals,
        winners.unit_name,
        winners.unit_display_name,
        winners.province_name,
        winners.current_province_code,
        winners.current_province_name,
        winners.sha256,
        winners.source_file,
        winners.received_at,
        winners.loaded_at,
        winners.report_date
    from winners
    left join pivoted
        on pivoted.submission_id = winners.submission_id
)

select * from final

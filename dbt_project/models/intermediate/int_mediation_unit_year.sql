-- Grassroots mediation (hòa giải cơ sở, form HOAGIAI): one row per STP unit and year, from its
-- winning submission. reported_success_rate is the unit's own figure, with its printed precision.
with winners as (
    select * from {{ ref('int_winning_submissions') }}
    where form = 'HOAGIAI'
),

unit_totals as (
    select * from {{ ref('int_unit_totals') }}
    where form = 'HOAGIAI'
),

pivoted as (
    select
        submission_id,
        {% for indicator in var('mediation_count_indicators') -%}
        {{ pivot_indicator(indicator) }},
        {% endfor -%}
        {{ pivot_indicator('success_rate', 'double', alias='reported_success_rate') }},
        {{ pivot_indicator(
            'success_rate', 'integer', column='decimals', alias='reported_success_rate_decimals'
        ) }}
    from unit_totals
    group by submission_id
),

final as (
    select
        winners.unit_code,
        winners.province_code,
        winners.year,
        winners.submission_id,
        {% for indicator in var('mediation_count_indicators') -%}
        pivoted.{{ indicator }},
        {% endfor -%}
        pivoted.reported_success_rate,
        pivoted.reported_success_rate_decimals,
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

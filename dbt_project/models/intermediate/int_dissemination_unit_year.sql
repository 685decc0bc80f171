-- Legal dissemination (phổ biến, giáo dục pháp luật, form PBGDPL): one row per STP unit and
-- year, from its winning submission. A figure the unit left empty stays NULL.
with winners as (
    select * from {{ ref('int_winning_submissions') }}
    where form = 'PBGDPL'
),

unit_totals as (
    select * from {{ ref('int_unit_totals') }}
    where form = 'PBGDPL'
),

pivoted as (
    select
        submission_id,
        {% for indicator in var('dissemination_indicators') -%}
        {{ pivot_indicator(indicator) }}{{ ',' if not loop.last }}
        {% endfor %}
    from unit_totals
    group by submission_id
),

final as (
    select
        winners.unit_code,
        winners.province_code,
        winners.year,
        winners.submission_id,
        {% for indicator in var('dissemination_indicators') -%}
        pivoted.{{ indicator }},
        {% endfor -%}
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

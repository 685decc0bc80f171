-- The winning submission of every (unit_code, year, form), with the reference data as valid at
-- the end of its reporting period: the unit's name, the province's name, and today's province
-- of its territory (for the current-boundaries facts), and the keys of the dim_unit and
-- dim_province rows valid then (a fact joins its dimensions on them, one row each).
with winners as (
    select * from {{ ref('int_submissions_ranked') }}
    where is_winning
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

units as (
    select * from {{ ref('stg_reference__units') }}
),

province_mapping as (
    select * from {{ ref('int_province_current_mapping') }}
),

final as (
    select
        winners.submission_id,
        winners.sha256,
        winners.source_file,
        winners.unit_code,
        winners.province_code,
        winners.year,
        winners.form,
        winners.report_date,
        winners.received_at,
        winners.file_modified_at,
        winners.loaded_at,
        winners.group_submission_count,
        winners.ranking_basis,
        periods.period_start,
        periods.period_end,
        coalesce(units.unit_type, periods.unit_type) as unit_type,
        coalesce(units.unit_name, winners.unit_name_reported) as unit_name,
        coalesce(units.display_name, units.unit_name, winners.unit_name_reported)
            as unit_display_name,
        winners.unit_name_reported,
        province_mapping.province_name,
        -- a province code not valid at the period's end (should not pass ingest) keeps its own
        coalesce(province_mapping.current_province_code, winners.province_code)
            as current_province_code,
        province_mapping.current_province_name,
        {{ dimension_key('units.unit_code', 'units.valid_from') }} as unit_key,
        {{ dimension_key('province_mapping.province_code', 'province_mapping.valid_from') }}
            as province_key
    from winners
    left join periods
        on periods.form = winners.form
        and periods.year = winners.year
    left join units
        on units.unit_code = winners.unit_code
        and periods.period_end between units.effective_from and units.effective_to
    left join province_mapping
        on province_mapping.province_code = winners.province_code
        and (
            periods.period_end
            between province_mapping.effective_from and province_mapping.effective_to
        )
)

select * from final

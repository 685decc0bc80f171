-- The reporting period of every form for every year of the spine (vars first/last_reporting_year)
-- and every year any submission carries, so a lookup by (form, year) never misses.
with periods as (
    select * from {{ ref('stg_reference__reporting_periods') }}
),

submission_years as (
    select distinct year from {{ ref('stg_raw__submissions') }}
),

year_spine as (
    select cast(spine.year as integer) as year
    from
        generate_series(
            {{ var('first_reporting_year') }}, {{ var('last_reporting_year') }}
        ) as spine (year)
    union
    select year from submission_years
),

final as (
    select
        periods.unit_type,
        periods.form,
        year_spine.year,
        make_date(
            year_spine.year + periods.start_year_offset, periods.start_month, periods.start_day
        ) as period_start,
        make_date(year_spine.year, periods.end_month, periods.end_day) as period_end,
        periods.description
    from periods
    cross join year_spine
)

select * from final

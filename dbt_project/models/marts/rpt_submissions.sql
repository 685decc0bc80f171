-- Who reported, and on time: one row per expected unit, year and form (unit-correspondence.md,
-- "In the warehouse"). Expected = every unit in scope for the year x the forms of its type, for
-- the years from the first one any unit reported up to the current year. The due date is the
-- data team's (TUPHAP_CALENDAR), else the default: STP's year N on 15/12/N, THADS's on
-- 15/10/N. A file counts as received when the warehouse first saw it; days (and the current
-- year) are Vietnam's.
with units_in_scope as (
    select * from {{ ref('int_units_in_scope') }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

calendar as (
    select * from {{ ref('stg_raw__reporting_calendar') }}
),

submissions as (
    select * from {{ ref('stg_raw__submissions') }}
),

rejected_files as (
    select * from {{ ref('stg_raw__received_files') }}
    where is_rejected
),

years as (
    select
        min(year) as first_year,
        cast(
            extract(year from current_timestamp at time zone 'Asia/Ho_Chi_Minh') as integer
        ) as last_year
    from submissions
),

expected as (
    select
        units_in_scope.unit_code,
        units_in_scope.unit_key,
        units_in_scope.unit_type,
        units_in_scope.province_code,
        units_in_scope.province_key,
        units_in_scope.year,
        periods.form,
        coalesce(
            calendar.due_date,
            case units_in_scope.unit_type
                when 'STP' then make_date(units_in_scope.year, 12, 15)
                else make_date(units_in_scope.year, 10, 15)
            end
        ) as due_date,
        calendar.due_date is not null as due_date_from_calendar
    from units_in_scope
    inner join years
        on units_in_scope.year between years.first_year and years.last_year
    inner join periods
        on periods.unit_type = units_in_scope.unit_type
        and periods.year = units_in_scope.year
    left join calendar
        on calendar.year = units_in_scope.year
        and calendar.unit_type = units_in_scope.unit_type
),

received as (
    select
        unit_code,
        year,
        form,
        min(received_at) as first_received_at,
        max(received_at) as last_received_at,
        count(distinct sha256) as files
    from submissions
    group by unit_code, year, form
),

rejections as (
    select
        rejection_unit_code as unit_code,
        rejection_year as year,
        count(*) as rejected_files,
        max(received_at) as last_rejected_at
    from rejected_files
    where rejection_unit_code is not null and rejection_year is not null
    group by rejection_unit_code, rejection_year
),

final as (
    select
        expected.unit_code,
        expected.unit_key,
        expected.province_code,
        expected.province_key,
        expected.year,
        expected.form,
        expected.due_date,
        expected.due_date_from_calendar,
        received.first_received_at,
        received.last_received_at,
        cast(coalesce(received.files - 1, 0) as integer) as corrections,
        cast(coalesce(rejections.rejected_files, 0) as integer) as rejected_files,
        rejections.last_rejected_at,
        case
            when received.first_received_at is not null
                then
                    cast(received.first_received_at at time zone 'Asia/Ho_Chi_Minh' as date)
                    <= expected.due_date
        end as on_time,
        case
            when received.first_received_at is not null
                then cast(greatest(
                    cast(received.first_received_at at time zone 'Asia/Ho_Chi_Minh' as date)
                    - expected.due_date,
                    0
                ) as integer)
        end as days_late,
        case
            when received.files is not null then 'received'
            when rejections.rejected_files is not null then 'rejected only'
            else 'missing'
        end as status
    from expected
    left join received
        on received.unit_code = expected.unit_code
        and received.year = expected.year
        and received.form = expected.form
    left join rejections
        on rejections.unit_code = expected.unit_code
        and rejections.year = expected.year
)

select * from final

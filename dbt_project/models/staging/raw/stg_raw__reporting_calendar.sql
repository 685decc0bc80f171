-- The due dates the data team set (TUPHAP_CALENDAR); other years take the defaults.
with source as (
    select * from {{ source('raw', 'reporting_calendar') }}
),

renamed as (
    select
        cast(year as integer) as year,
        unit_type,
        due_date
    from source
)

select * from renamed

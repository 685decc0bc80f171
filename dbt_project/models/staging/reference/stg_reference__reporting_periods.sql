-- How each form's reporting period of year N is laid out.
with source as (
    select * from {{ ref('ref_reporting_periods') }}
),

renamed as (
    select
        unit_type,
        form,
        start_month,
        start_day,
        start_year_offset,
        end_month,
        end_day,
        description
    from source
)

select * from renamed

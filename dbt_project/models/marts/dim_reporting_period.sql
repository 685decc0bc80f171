-- The reporting period of every form and year (STP: calendar year; THADS: 1 Oct N-1 to 30 Sep N).
with periods as (
    select * from {{ ref('int_reporting_periods') }}
),

final as (
    select
        unit_type,
        form,
        year,
        period_start,
        period_end,
        description
    from periods
)

select * from final

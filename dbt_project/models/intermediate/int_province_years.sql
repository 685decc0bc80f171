-- Every province that exists in each reporting year (valid on 31 December of the year): the
-- national population of provinces, 63 before the 2025 mergers and 34 after.
with provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

years as (
    select distinct year from {{ ref('int_reporting_periods') }}
),

final as (
    select
        provinces.province_code,
        years.year,
        provinces.province_name
    from years
    inner join provinces
        on (
            make_date(years.year, 12, 31)
            between provinces.effective_from and provinces.effective_to
        )
)

select * from final

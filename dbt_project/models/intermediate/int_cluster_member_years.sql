-- The cluster's members of each reporting year (membership is data with year validity), with
-- the province's name as valid at the end of that calendar year.
with membership as (
    select * from {{ ref('stg_reference__cluster_membership') }}
),

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

years as (
    select distinct year from {{ ref('int_reporting_periods') }}
),

member_years as (
    select
        membership.province_code,
        years.year
    from membership
    inner join years
        on years.year between membership.effective_from_year and membership.effective_to_year
),

final as (
    select
        member_years.province_code,
        member_years.year,
        provinces.province_name
    from member_years
    left join provinces
        on provinces.province_code = member_years.province_code
        and (
            make_date(member_years.year, 12, 31)
            between provinces.effective_from and provinces.effective_to
        )
)

select * from final

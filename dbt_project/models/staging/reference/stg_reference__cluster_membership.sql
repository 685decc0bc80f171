-- Cluster membership by reporting year; open ends made explicit.
with source as (
    select * from {{ ref('ref_cluster_membership') }}
),

renamed as (
    select
        province_code,
        member_from_year,
        member_to_year,
        coalesce(member_from_year, 0) as effective_from_year,
        coalesce(member_to_year, 9999) as effective_to_year
    from source
)

select * from renamed

-- Provinces with their validity; open ends are made explicit (effective_from/effective_to) so
-- "the row valid on a day" is a plain BETWEEN.
with source as (
    select * from {{ ref('ref_provinces') }}
),

renamed as (
    select
        province_code,
        province_name,
        valid_from,
        valid_to,
        coalesce(valid_from, date '1900-01-01') as effective_from,
        coalesce(valid_to, date '9999-12-31') as effective_to,
        nullif(successor_province_code, '') as successor_province_code,
        valid_to is null as is_current
    from source
)

select * from renamed

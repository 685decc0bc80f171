-- Reporting units with their validity; aliases split into a list.
with source as (
    select * from {{ ref('ref_units') }}
),

renamed as (
    select
        unit_code,
        unit_type,
        province_code,
        unit_name,
        display_name,
        valid_from,
        valid_to,
        coalesce(valid_from, date '1900-01-01') as effective_from,
        coalesce(valid_to, date '9999-12-31') as effective_to,
        valid_to is null as is_current,
        {{ split_to_text_list('aliases', '|') }} as aliases
    from source
)

select * from renamed

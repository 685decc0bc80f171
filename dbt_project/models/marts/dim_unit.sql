-- Reporting units (one STP and one THADS per province) with their validity. Key:
-- (unit_code, valid_from); unit_key spells it as one column (macro dimension_key).
with units as (
    select * from {{ ref('stg_reference__units') }}
),

final as (
    select
        {{ dimension_key('unit_code', 'valid_from') }} as unit_key,
        unit_code,
        unit_name,
        unit_type,
        province_code,
        valid_from,
        valid_to,
        display_name,
        is_current,
        aliases
    from units
)

select * from final

-- Provinces with their validity and the 2025 mergers (successor chain resolved to today's
-- province). Key: (province_code, valid_from); province_key spells it as one column (macro
-- dimension_key).
with provinces as (
    select * from {{ ref('int_province_current_mapping') }}
),

final as (
    select
        {{ dimension_key('province_code', 'valid_from') }} as province_key,
        province_code,
        province_name,
        valid_from,
        valid_to,
        successor_province_code,
        valid_to is null as is_current,
        current_province_code,
        current_province_name
    from provinces
)

select * from final

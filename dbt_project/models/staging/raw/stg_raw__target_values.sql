-- The rows of every targets decision; a flag for the rows that apply to a whole unit type.
with source as (
    select * from {{ source('raw', 'target_values') }}
),

renamed as (
    select
        decision_id,
        unit,
        unit_type,
        unit = unit_type as is_type_wide,
        indicator,
        comparator,
        cast(value as double precision) as target,
        decimals as target_decimals,
        source_cell
    from source
)

select * from renamed

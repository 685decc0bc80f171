-- The figures of every submission, long; a flag for the total row ("Tổng cộng").
with source as (
    select * from {{ source('raw', 'submission_values') }}
),

renamed as (
    select
        submission_id,
        subunit,
        subunit_order,
        subunit is null as is_total_row,
        indicator,
        cast(value as double precision) as value,
        decimals,
        source_cell
    from source
)

select * from renamed

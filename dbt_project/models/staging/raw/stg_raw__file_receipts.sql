-- Every name under which a file content was seen in an inbox.
with source as (
    select * from {{ source('raw', 'file_receipts') }}
),

renamed as (
    select
        sha256,
        source_file,
        first_seen_at
    from source
)

select * from renamed

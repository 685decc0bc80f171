-- Every targets decision carried by an accepted file (one per year and file), superseded ones too.
with source as (
    select * from {{ source('raw', 'target_decisions') }}
),

renamed as (
    select
        decision_id,
        sha256,
        source_file,
        decision_number,
        decision_date,
        issuer,
        cast(year as integer) as year,
        sheet_name,
        received_at,
        file_modified_at,
        loaded_at
    from source
)

select * from renamed

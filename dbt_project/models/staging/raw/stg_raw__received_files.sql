-- Every received file, accepted or rejected, typed; rejected files feed rejected_reports.
with source as (
    select * from {{ source('raw', 'received_files') }}
),

renamed as (
    select
        sha256,
        source_file,
        archive_path,
        cast(size_bytes as bigint) as size_bytes,
        received_at,
        file_modified_at,
        file_kind,
        status,
        status = 'rejected' as is_rejected,
        reason_code,
        reason,
        rejection_year,
        rejection_unit_code,
        years,
        parsed_scope,
        parse_notes
    from source
)

select * from renamed

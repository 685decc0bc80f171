-- One row per rejected file, with the officer-facing reason (Vietnamese) and every name the
-- same content was received under.
with received_files as (
    select * from {{ ref('stg_raw__received_files') }}
    where is_rejected
),

receipts as (
    select
        sha256,
        string_agg(
            source_file, ', ' order by first_seen_at, {{ bytewise('source_file') }}
        ) as received_as
    from {{ ref('stg_raw__file_receipts') }}
    group by sha256
),

final as (
    select
        received_files.source_file,
        received_files.sha256,
        received_files.received_at,
        received_files.reason,
        received_files.reason_code,
        received_files.rejection_year as year,
        received_files.rejection_unit_code as unit_code,
        received_files.file_kind,
        received_files.size_bytes,
        received_files.archive_path,
        received_files.file_modified_at,
        received_files.parsed_scope,
        coalesce(receipts.received_as, received_files.source_file) as received_as
    from received_files
    left join receipts
        on receipts.sha256 = received_files.sha256
)

select * from final

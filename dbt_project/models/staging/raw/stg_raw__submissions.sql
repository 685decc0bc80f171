-- Every submission (one unit, year and form carried by an accepted file), superseded ones too.
with source as (
    select * from {{ source('raw', 'submissions') }}
),

renamed as (
    select
        submission_id,
        sha256,
        source_file,
        unit_code,
        province_code,
        cast(year as integer) as year,
        form,
        report_date,
        unit_name_reported,
        sheet_name,
        received_at,
        file_modified_at,
        loaded_at
    from source
)

select * from renamed

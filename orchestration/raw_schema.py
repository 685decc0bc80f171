"""DDL of the warehouse's raw layer: what ingest writes and dbt reads as sources.

Raw tables are append-mostly and keyed by content (sha256), so re-loading the same inbox is a
no-op and every received file stays traceable. dbt never writes here.
"""

from __future__ import annotations

RAW_SCHEMA = "raw"

RAW_DDL: tuple[str, ...] = (
    "create schema if not exists raw",
    # One row per distinct file content ever received, accepted or rejected.
    """create table if not exists raw.received_files (
        sha256 varchar primary key,
        source_file varchar not null,      -- file name as first received
        archive_path varchar not null,     -- path in the content-addressed archive
        size_bytes bigint not null,
        received_at timestamptz not null,  -- when the warehouse first saw this content
        file_modified_at timestamptz,      -- modification time in the inbox when first seen
        file_kind varchar not null,        -- xlsx | xls | ods | csv | unknown
        status varchar not null,           -- accepted | rejected
        reason_code varchar,               -- machine code of the rejection
        reason varchar,                    -- the officer-facing message (Vietnamese)
        rejection_year integer,
        rejection_unit_code varchar,
        years integer[],                   -- reporting years the file carries
        parsed_scope varchar not null,     -- scope in force when parsed: cluster | national
        parse_notes varchar[]              -- the parser's notes for the data team (English)
    )""",
    # Warehouses built before parse_notes existed.
    "alter table raw.received_files add column if not exists parse_notes varchar[]",
    # Every time a file (by name) was seen in an inbox: the same content under two names counts.
    """create table if not exists raw.file_receipts (
        sha256 varchar not null,
        source_file varchar not null,
        first_seen_at timestamptz not null,
        primary key (sha256, source_file)
    )""",
    # One row per unit, year and form carried by an accepted file.
    """create table if not exists raw.submissions (
        submission_id varchar primary key, -- sha256:unit_code:year:form
        sha256 varchar not null,
        source_file varchar not null,
        unit_code varchar not null,
        province_code varchar not null,
        year integer not null,
        form varchar not null,
        report_date date,
        unit_name_reported varchar,
        sheet_name varchar,
        received_at timestamptz not null,
        file_modified_at timestamptz,
        loaded_at timestamptz not null
    )""",
    # The figures, long: one row per submission, sub-unit (null = total) and indicator.
    """create table if not exists raw.submission_values (
        submission_id varchar not null,
        subunit varchar,                   -- null for the unit total row
        subunit_order integer not null,    -- 0 for the total, 1.. for sub-units in report order
        indicator varchar not null,
        value double not null,
        decimals integer not null,         -- digits printed after the decimal mark
        source_cell varchar not null       -- e.g. THADS_VIEC!H12 or line 7
    )""",
)

"""The raw DDL derived from the dbt source (orchestration/ingest/raw_schema.py): the tables the
ingest asset declares and the columns its batches carry are the yml's, and older warehouses are
brought up to date. (tests/dbt/test_raw_source.py compares the tables with the yml's types.)"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.ingest.assets import RAW_TABLES
from orchestration.ingest.parsing import TARGET_COLUMNS, VALUE_COLUMNS
from orchestration.ingest.raw_schema import RAW_DDL, RAW_SOURCE_YML, raw_ddl
from orchestration.ingest.rows import (
    CALENDAR_COLUMNS,
    DECISION_COLUMNS,
    RECEIPT_COLUMNS,
    RECEIVED_COLUMNS,
    SKIPPED_COLUMNS,
    SUBMISSION_COLUMNS,
)
from orchestration.warehouse.sql import render


def _yml_columns() -> dict[str, tuple[str, ...]]:
    (raw,) = [s for s in yaml.safe_load(RAW_SOURCE_YML.read_text(encoding="utf-8"))["sources"]
              if s["name"] == "raw"]
    return {t["name"]: tuple(c["name"] for c in t["columns"]) for t in raw["tables"]}


def test_the_batches_carry_exactly_the_columns_of_the_raw_source() -> None:
    assert _yml_columns() == {
        "received_files": RECEIVED_COLUMNS, "file_receipts": RECEIPT_COLUMNS,
        "submissions": SUBMISSION_COLUMNS, "submission_values": VALUE_COLUMNS,
        "target_decisions": DECISION_COLUMNS, "target_values": TARGET_COLUMNS,
        "skipped_inbox_entries": SKIPPED_COLUMNS, "reporting_calendar": CALENDAR_COLUMNS}
    assert tuple(_yml_columns()) == RAW_TABLES


def test_the_ddl_is_idempotent_and_brings_an_older_warehouse_up_to_date() -> None:
    with duckdb.connect() as con:
        con.execute("create schema raw")
        con.execute("create table raw.received_files (sha256 varchar primary key)")  # no notes
        for _ in range(2):
            for statement in RAW_DDL:
                con.execute(render(statement))
        columns = {name for (name,) in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'raw' and table_name = 'received_files'").fetchall()}
        tables = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()}
    assert "parse_notes" in columns
    assert tables == set(RAW_TABLES)


def test_only_plain_names_and_types_become_sql(tmp_path: Path) -> None:
    source = yaml.safe_load(RAW_SOURCE_YML.read_text(encoding="utf-8"))
    source["sources"][0]["tables"][0]["columns"][0]["data_type"] = "varchar); drop table x; --"
    hostile = tmp_path / "_raw__sources.yml"
    hostile.write_text(yaml.safe_dump(source), encoding="utf-8")
    with pytest.raises(ValueError, match="cannot go into the raw DDL"):
        raw_ddl(hostile)

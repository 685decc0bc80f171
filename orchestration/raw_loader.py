"""Turn parse results into raw-table rows and write them, in bulk, to the build warehouse.

Deciding what to (re)parse is a pure function of what the warehouse already holds, the inbox
and the years asked for, so re-loading the same inbox is a no-op and a file carrying several
years is loaded year by year as those partitions run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest.model import ParseResult
from orchestration.raw_schema import RAW_DDL

RECEIVED_COLUMNS = [
    "sha256", "source_file", "archive_path", "size_bytes", "received_at", "file_modified_at",
    "file_kind", "status", "reason_code", "reason", "rejection_year", "rejection_unit_code",
    "years", "parsed_scope",
]
SUBMISSION_COLUMNS = [
    "submission_id", "sha256", "source_file", "unit_code", "province_code", "year", "form",
    "report_date", "unit_name_reported", "sheet_name", "received_at", "file_modified_at",
    "loaded_at",
]
VALUE_COLUMNS = [
    "submission_id", "subunit", "subunit_order", "indicator", "value", "decimals", "source_cell",
]


@dataclass(frozen=True)
class KnownFile:
    """What the warehouse already knows of one received content."""

    sha256: str
    source_file: str
    archive_path: str
    status: str
    years: tuple[int, ...]
    parsed_scope: str
    received_at: datetime
    file_modified_at: datetime | None


@dataclass(frozen=True)
class Candidate:
    """A received content to consider in this load: from the inbox or from the archive."""

    name: str  # file name as first received
    path: Path  # the archived copy
    size_bytes: int
    modified_at: datetime | None
    received_at: datetime


@dataclass
class RawBatch:
    """Rows to add to the raw tables in one transaction."""

    received: list[dict] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    submissions: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.received or self.receipts or self.submissions)


def submission_id(sha256: str, unit_code: str, year: int, form: str) -> str:
    return f"{sha256}:{unit_code}:{year}:{form}"


def needs_parse(
    known: KnownFile | None, scope: str, years: set[int], loaded_years: set[int]
) -> bool:
    """Parse new content, rejections made under another scope, and accepted years not loaded."""
    if known is None:
        return True
    if known.status == "rejected":
        return known.parsed_scope != scope
    return bool((set(known.years) & years) - loaded_years)


def received_row(
    *, sha256: str, source_file: str, archive_path: Path, size_bytes: int,
    received_at: datetime, file_modified_at: datetime | None, result: ParseResult, scope: str,
) -> dict:
    rejection = result.rejection
    return {
        "sha256": sha256, "source_file": source_file, "archive_path": str(archive_path),
        "size_bytes": size_bytes, "received_at": received_at,
        "file_modified_at": file_modified_at, "file_kind": result.file_kind,
        "status": "rejected" if rejection else "accepted",
        "reason_code": rejection.code if rejection else None,
        "reason": rejection.message if rejection else None,
        "rejection_year": rejection.year if rejection else None,
        "rejection_unit_code": rejection.unit_code if rejection else None,
        "years": list(result.years), "parsed_scope": scope,
    }


def submission_rows(
    result: ParseResult, *, sha256: str, source_file: str, received_at: datetime,
    file_modified_at: datetime | None, loaded_at: datetime, years: set[int],
) -> tuple[list[dict], list[dict]]:
    """Rows for the submissions of the given years (other years wait for their partition)."""
    submissions, values = [], []
    for sub in result.submissions:
        if sub.year not in years:
            continue
        sid = submission_id(sha256, sub.unit_code, sub.year, sub.form)
        submissions.append({
            "submission_id": sid, "sha256": sha256, "source_file": source_file,
            "unit_code": sub.unit_code, "province_code": sub.province_code, "year": sub.year,
            "form": sub.form, "report_date": sub.report_date,
            "unit_name_reported": sub.unit_name_reported, "sheet_name": sub.sheet_name,
            "received_at": received_at, "file_modified_at": file_modified_at,
            "loaded_at": loaded_at,
        })
        values.extend(
            {
                "submission_id": sid, "subunit": v.subunit, "subunit_order": v.subunit_order,
                "indicator": v.indicator, "value": float(v.value), "decimals": v.decimals,
                "source_cell": v.source_cell,
            }
            for v in sub.values
        )
    return submissions, values


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in RAW_DDL:
        con.execute(statement)


def read_known(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, KnownFile], dict[str, set[int]]]:
    """The files the warehouse holds, and for each the years already loaded."""
    known = {
        row[0]: KnownFile(row[0], row[1], row[2], row[3], tuple(row[4] or ()), row[5], row[6],
                          row[7])
        for row in con.execute(
            "select sha256, source_file, archive_path, status, years, parsed_scope,"
            " received_at, file_modified_at from raw.received_files"
        ).fetchall()
    }
    loaded: dict[str, set[int]] = {}
    for sha, year in con.execute("select distinct sha256, year from raw.submissions").fetchall():
        loaded.setdefault(sha, set()).add(year)
    return known, loaded


def read_receipts(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(con.execute("select sha256, source_file from raw.file_receipts").fetchall())


def _frame(rows: Iterable[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def write_batch(con: duckdb.DuckDBPyConnection, batch: RawBatch) -> None:
    """Write one batch atomically; replacing rows with the same keys keeps re-runs idempotent."""
    if batch.empty:
        return
    received = _frame(batch.received, RECEIVED_COLUMNS)
    receipts = _frame(batch.receipts, ["sha256", "source_file", "first_seen_at"])
    submissions = _frame(batch.submissions, SUBMISSION_COLUMNS)
    values = _frame(batch.values, VALUE_COLUMNS)
    values["subunit"] = values["subunit"].astype(object)
    con.begin()
    try:
        con.register("batch_received", received)
        con.register("batch_receipts", receipts)
        con.register("batch_submissions", submissions)
        con.register("batch_values", values)
        con.execute(
            "delete from raw.received_files where sha256 in (select sha256 from batch_received)"
        )
        con.execute("insert into raw.received_files by name select * from batch_received")
        con.execute("insert into raw.file_receipts by name select * from batch_receipts")
        con.execute(
            "delete from raw.submission_values where submission_id in"
            " (select submission_id from batch_submissions)"
        )
        con.execute(
            "delete from raw.submissions where submission_id in"
            " (select submission_id from batch_submissions)"
        )
        con.execute("insert into raw.submissions by name select * from batch_submissions")
        con.execute("insert into raw.submission_values by name select * from batch_values")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for name in ("batch_received", "batch_receipts", "batch_submissions", "batch_values"):
            con.unregister(name)

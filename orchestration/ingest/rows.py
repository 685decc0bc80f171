"""Turn parse results into raw-table rows, and read what the warehouse already holds.

Deciding what to (re)parse is a pure function of what the warehouse already holds, the inbox
and the years asked for, so re-loading the same inbox is a no-op and a file carrying several
years is loaded year by year as those partitions run.

Parsed files (orchestration.ingest.parsing.ParsedFile) carry their figures as columns, and a
batch (orchestration/warehouse/batch.py) keeps its rows column by column: the build writes it
in bulk (`Build.write_raw`; a national load writes ~280.000 figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from orchestration.ingest.entries import SkippedEntry
from orchestration.ingest.parsing import TARGET_COLUMNS, VALUE_COLUMNS, ParsedFile
from orchestration.warehouse.batch import Columns, RawBatch
from orchestration.warehouse.engine import Connection

# The columns of each batch table; their types are the raw tables' (raw_schema.py): the engine
# writes a batch's Python objects by column name, cast to those types.
RECEIVED_COLUMNS = (
    "sha256", "source_file", "archive_path", "size_bytes", "received_at", "file_modified_at",
    "file_kind", "status", "reason_code", "reason", "rejection_year", "rejection_unit_code",
    "years", "parsed_scope", "parse_notes",
)
RECEIPT_COLUMNS = ("sha256", "source_file", "first_seen_at")
SKIPPED_COLUMNS = ("path", "kind", "reason", "seen_at", "load_id")
SUBMISSION_COLUMNS = (
    "submission_id", "sha256", "source_file", "unit_code", "province_code", "year", "form",
    "report_date", "unit_name_reported", "sheet_name", "received_at", "file_modified_at",
    "loaded_at",
)
DECISION_COLUMNS = (
    "decision_id", "sha256", "source_file", "decision_number", "decision_date", "issuer", "year",
    "sheet_name", "received_at", "file_modified_at", "loaded_at",
)
CALENDAR_COLUMNS = ("year", "unit_type", "due_date")  # raw.reporting_calendar


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


def new_batch() -> RawBatch:
    """An empty batch with the columns of each raw table."""
    return RawBatch(received=Columns(RECEIVED_COLUMNS), receipts=Columns(RECEIPT_COLUMNS),
                    submissions=Columns(SUBMISSION_COLUMNS), values=Columns(VALUE_COLUMNS),
                    decisions=Columns(DECISION_COLUMNS), targets=Columns(TARGET_COLUMNS))


def add_parsed(batch: RawBatch, parsed: ParsedFile, *, sha256: str, candidate: Candidate,
               loaded_at: datetime) -> None:
    """Add the submissions and figures, or the targets decisions, of an accepted file to
    `batch`."""
    for sub in parsed.submissions:
        batch.submissions.append({
            "submission_id": sub.submission_id, "sha256": sha256,
            "source_file": candidate.name, "unit_code": sub.unit_code,
            "province_code": sub.province_code, "year": sub.year, "form": sub.form,
            "report_date": sub.report_date, "unit_name_reported": sub.unit_name_reported,
            "sheet_name": sub.sheet_name, "received_at": candidate.received_at,
            "file_modified_at": candidate.modified_at, "loaded_at": loaded_at,
        })
    batch.values.extend(parsed.values)
    for decision in parsed.decisions:
        batch.decisions.append({
            "decision_id": decision.decision_id, "sha256": sha256,
            "source_file": candidate.name, "decision_number": decision.decision_number,
            "decision_date": decision.decision_date, "issuer": decision.issuer,
            "year": decision.year, "sheet_name": decision.sheet_name,
            "received_at": candidate.received_at, "file_modified_at": candidate.modified_at,
            "loaded_at": loaded_at,
        })
    batch.targets.extend(parsed.targets)


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
    received_at: datetime, file_modified_at: datetime | None, parsed: ParsedFile, scope: str,
) -> dict:
    rejection = parsed.rejection
    return {
        "sha256": sha256, "source_file": source_file, "archive_path": str(archive_path),
        "size_bytes": size_bytes, "received_at": received_at,
        "file_modified_at": file_modified_at, "file_kind": parsed.file_kind,
        "status": "rejected" if rejection else "accepted",
        "reason_code": rejection.code if rejection else None,
        "reason": rejection.message if rejection else None,
        "rejection_year": rejection.year if rejection else None,
        "rejection_unit_code": rejection.unit_code if rejection else None,
        "years": list(parsed.years), "parsed_scope": scope, "parse_notes": list(parsed.notes),
    }


def read_known(con: Connection) -> tuple[dict[str, KnownFile], dict[str, set[int]]]:
    """The files the warehouse holds, and for each the years already loaded (of its
    submissions, or of its targets decisions)."""
    known = {
        row[0]: KnownFile(row[0], row[1], row[2], row[3], tuple(row[4] or ()), row[5], row[6],
                          row[7])
        for row in con.execute(
            "select sha256, source_file, archive_path, status, years, parsed_scope,"
            " received_at, file_modified_at from {raw}.received_files"
        ).fetchall()
    }
    loaded: dict[str, set[int]] = {}
    for sha, year in con.execute(
            "select distinct sha256, year from {raw}.submissions"
            " union select distinct sha256, year from {raw}.target_decisions").fetchall():
        loaded.setdefault(sha, set()).add(year)
    return known, loaded


def read_receipts(con: Connection) -> set[tuple[str, str]]:
    return set(con.execute("select sha256, source_file from {raw}.file_receipts").fetchall())


def read_totals(con: Connection) -> tuple[int, int]:
    """How many accepted and how many rejected files the warehouse holds."""
    accepted, rejected = con.execute(
        "select count(*) filter (where status = 'accepted'),"
        " count(*) filter (where status = 'rejected') from {raw}.received_files"
    ).fetchone()
    return int(accepted), int(rejected)


def write_skipped(con: Connection, entries: Sequence[SkippedEntry], *, load_id: str,
                  seen_at: datetime) -> None:
    """Record the inbox entries a load did not read (raw.skipped_inbox_entries), in one
    statement per 200 entries. Names come from outside: every value is a bound parameter."""
    for start in range(0, len(entries), 200):
        chunk = entries[start:start + 200]
        rows = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
        con.execute(
            f"insert into {{raw}}.skipped_inbox_entries ({', '.join(SKIPPED_COLUMNS)})"  # noqa: S608
            f" values {rows} on conflict do nothing",  # once per load, step retried or not
            [value for entry in chunk
             for value in (entry.name, entry.kind, entry.reason, seen_at, load_id)],
        )

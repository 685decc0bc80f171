"""What `tuphap load` prints: a short account of the load for the data team."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.vn_format import format_number


@dataclass
class LoadSummary:
    warehouse: str  # the warehouse's address
    scope: str
    years: tuple[str, str]
    new_loaded: list[dict] = field(default_factory=list)  # file, unit_code, year, form
    new_rejected: list[dict] = field(default_factory=list)  # file, code, reason
    accepted_files_total: int = 0
    rejected_files_total: int = 0
    coverage: list[tuple[str, int, int]] = field(default_factory=list)  # unit, year, forms
    open_issues: dict[str, int] = field(default_factory=dict)  # severity -> count
    new_issues: dict[str, int] = field(default_factory=dict)
    alert_channels: dict[str, str] = field(default_factory=dict)  # channel -> ok | failed …
    dagster_home: Path | None = None
    run_id: str | None = None
    log_path: Path | None = None  # dbt's console output of the load
    reader_hint: str = ""  # how to open the warehouse read-only (WarehouseEngine.reader_hint)


def printable(text: str) -> str:
    """One line, whatever a file name holds (a newline must not fake summary lines)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def read_coverage(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """Units × years the warehouse holds, with how many forms each sent."""
    return [
        (row[0], int(row[1]), int(row[2]))
        for row in con.execute(
            "select unit_code, year, count(distinct form) from raw.submissions"
            " group by all order by unit_code, year"
        ).fetchall()
    ]


def read_open_issues(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'main' and table_name = 'dq_issues'"
    ).fetchone()[0]
    if not exists:
        return {}
    return dict(
        con.execute(
            "select severity, count(*) from main.dq_issues where status = 'open' group by all"
        ).fetchall()
    )


def coverage_table(coverage: list[tuple[str, int, int]]) -> list[str]:
    """A unit × year grid: the number of forms received (each unit type sends two)."""
    if not coverage:
        return ["  (no reports loaded)"]
    years = sorted({year for _, year, _ in coverage})
    units = sorted({unit for unit, _, _ in coverage}, key=lambda u: (u.split("-")[-1], u))
    cells = {(unit, year): forms for unit, year, forms in coverage}
    header = "  unit      " + " ".join(f"{year:>5}" for year in years)
    lines = [header]
    for unit in units:
        marks = " ".join(f"{cells.get((unit, year), '-')!s:>5}" for year in years)
        lines.append(f"  {unit:<9} {marks}")
    return lines


def format_summary(summary: LoadSummary) -> str:
    loaded_files = sorted({row["file"] for row in summary.new_loaded})
    lines = [
        f"tuphap load: scope {summary.scope}, years {summary.years[0]}-{summary.years[1]}",
        f"  this load: {format_number(len(loaded_files))} files loaded "
        f"({format_number(len(summary.new_loaded))} forms), "
        f"{format_number(len(summary.new_rejected))} files rejected",
        f"  warehouse holds: {format_number(summary.accepted_files_total)} accepted files, "
        f"{format_number(summary.rejected_files_total)} rejected files",
    ]
    if not loaded_files and not summary.new_rejected:
        lines.append("  nothing new in the inbox: the warehouse content is unchanged")
    if summary.new_rejected:
        lines.append("")
        lines.append("Rejected files (kept in the archive; see table rejected_reports):")
        lines += [f"  - {printable(row['file'])}: {printable(row['reason'])}"
                  for row in summary.new_rejected]
    lines.append("")
    lines.append("Reports in the warehouse (forms received per unit and year):")
    lines += coverage_table(summary.coverage)
    lines.append("")
    errors = summary.open_issues.get("error", 0)
    warns = summary.open_issues.get("warn", 0)
    lines.append(
        f"Open quality issues: {format_number(errors)} errors, {format_number(warns)} warnings"
        f" (new this load: {format_number(summary.new_issues.get('error', 0))} errors, "
        f"{format_number(summary.new_issues.get('warn', 0))} warnings) — `tuphap issues`"
    )
    if summary.alert_channels:
        channels = ", ".join(f"{name}: {state}" for name, state in summary.alert_channels.items())
        lines.append(f"Alerts: {channels}")
    lines.append("")
    lines.append(f"Warehouse: {summary.warehouse}")
    if summary.reader_hint:
        lines.append(f"  open it read-only, e.g. in Python: {summary.reader_hint}")
    lines.append("  queries to start from: README.md, section \"Querying the warehouse\"")
    if summary.log_path:
        lines.append(f"  dbt output of this load: {summary.log_path}")
    if summary.dagster_home:
        lines.append(
            f"  runs and lineage in the UI: make dev  (DAGSTER_HOME={summary.dagster_home}"
            + (f", run {summary.run_id}" if summary.run_id else "")
            + ")"
        )
    return "\n".join(lines)

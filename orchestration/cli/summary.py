"""What `tuphap load` prints: a short account of the load for the data team.

It fits one screen. In the cluster scope (7 provinces) that includes the unit-by-year table of
forms received; in the national scope that table has some 130 rows, so the summary gives one
line per year (provinces and units reporting, of those expected) and the units with forms
missing, and lists at most MAX_LISTED rejected files and skipped inbox entries; `--full-summary`
prints everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.forms import UNIT_TYPE_FORMS
from ingest.reference import Registry
from ingest.vn_format import format_number
from orchestration import settings
from orchestration.warehouse.engine import Connection, WarehouseEngine

if TYPE_CHECKING:
    from orchestration.cli.reports import BackgroundReports
from orchestration.warehouse.sql import table_exists

MAX_LISTED = 8  # rejected files, skipped entries and incomplete units shown in the national scope
FULL_SUMMARY_FLAG = "--full-summary"


Expected = Mapping[int, list[tuple[str, int]]]  # year -> (unit code, forms it sends)


@dataclass
class LoadSummary:
    warehouse: str  # the warehouse's address
    scope: str
    years: tuple[str, str]  # the range of reporting years the load covered
    new_loaded: list[dict] = field(default_factory=list)  # file, unit_code, year, form
    # targets decisions: file, year, decision_number, decision_date (ISO), unit_types
    new_decisions: list[dict] = field(default_factory=list)
    new_rejected: list[dict] = field(default_factory=list)  # file, code, reason
    skipped: list[dict] = field(default_factory=list)  # file, kind, reason: inbox entries not read
    accepted_files_total: int = 0
    rejected_files_total: int = 0
    coverage: list[tuple[str, int, int]] = field(default_factory=list)  # unit, year, forms
    # year -> (unit code, forms it sends) of every unit expected that year in the scope
    expected: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    open_issues: dict[str, int] = field(default_factory=dict)  # severity -> count
    new_issues: dict[str, int] = field(default_factory=dict)
    alert_channels: dict[str, str] = field(default_factory=dict)  # channel -> ok | failed …
    unit_messages: str = ""  # what the units were sent (orchestration/correspondence)
    dagster_home: Path | None = None
    run_id: str | None = None
    log_path: Path | None = None  # dbt's console output of the load
    years_loaded: list[int] = field(default_factory=list)  # the years it brought figures for
    yearly_reports: BackgroundReports | None = None  # their reports, being made after it
    yearly_reports_off: bool = False  # TUPHAP_YEARLY_REPORTS=off: none are made after loads
    reader_hint: str = ""  # how to open the warehouse read-only (`reader_hint`)


def reader_hint(engine: WarehouseEngine) -> str:
    """How an analyst opens the warehouse read-only, printed after a load."""
    from orchestration.warehouse.postgres import PostgresWarehouse

    if isinstance(engine, PostgresWarehouse):
        server = engine.server
        url = f"postgresql://{engine.reader_role}@{server.host}:{server.port}/{server.dbname}"
        return f"with psql: psql '{url}' -c 'select * from main.rpt_cluster_year'"  # noqa: S608
    return f"in Python: duckdb.connect('{engine.address}', read_only=True)"


def printable(text: str) -> str:
    """One line, whatever a file name holds (a newline must not fake summary lines)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """"1 warning", "4 errors", "1.604 files": a count with its noun in the right number."""
    return f"{format_number(n)} {noun if n == 1 else plural or noun + 's'}"


def year_ranges(years: Iterable[int]) -> str:
    """Years as runs: {2016, …, 2025} -> "2016-2025"; {2016, 2018, 2019} -> "2016, 2018-2019"."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}" if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def read_coverage(con: Connection) -> list[tuple[str, int, int]]:
    """Units × years the warehouse holds, with how many forms each sent."""
    return [
        (row[0], int(row[1]), int(row[2]))
        for row in con.execute(
            "select unit_code, year, count(distinct form) from raw.submissions"
            " group by unit_code, year order by unit_code, year"
        ).fetchall()
    ]


def read_open_issues(con: Connection) -> dict[str, int]:
    if not table_exists(con, "main", "dq_issues"):
        return {}
    return dict(
        con.execute(
            "select severity, count(*) from main.dq_issues where status = 'open' group by severity"
        ).fetchall()
    )


def _province(unit_code: str) -> str:
    return unit_code.split("-")[-1]


def decision_line(row: Mapping[str, object]) -> str:
    """"2022, 1114/QĐ-TCTHADS of 08/10/2021, THADS": a decision as the summary lists it."""
    day = str(row.get("decision_date") or "")
    shown = f" of {day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) >= 10 else ""
    types = ", ".join(str(t) for t in row.get("unit_types") or ())  # type: ignore[union-attr]
    return (f"{row['year']}, {printable(str(row['decision_number']))}{shown}"
            + (f", {types}" if types else ""))


def coverage_table(coverage: list[tuple[str, int, int]]) -> list[str]:
    """A unit × year grid: the number of forms received (each unit type sends two)."""
    if not coverage:
        return ["  (no reports loaded)"]
    years = sorted({year for _, year, _ in coverage})
    units = sorted({unit for unit, _, _ in coverage}, key=lambda u: (_province(u), u))
    cells = {(unit, year): forms for unit, year, forms in coverage}
    header = "  unit      " + " ".join(f"{year:>5}" for year in years)
    lines = [header]
    for unit in units:
        marks = " ".join(f"{cells.get((unit, year), '-')!s:>5}" for year in years)
        lines.append(f"  {unit:<9} {marks}")
    return lines




def expected_forms(registry: Registry, scope: str,
                   years: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """year -> (unit code, forms it sends) of every unit the scope expects that year."""
    return {year: [(unit.unit_code, len(UNIT_TYPE_FORMS[unit.unit_type]))
                   for unit in registry.expected_units(year, scope)]
            for year in set(years)}


def incomplete_units(coverage: list[tuple[str, int, int]],
                     expected: Expected) -> list[tuple[int, str, int, int]]:
    """(year, unit, forms received, forms it sends) of every unit expected in a year the
    warehouse holds reports of, that did not send all its forms. Pure."""
    received = {(unit, year): forms for unit, year, forms in coverage}
    years = {year for _, year, _ in coverage}
    return [(year, unit, received.get((unit, year), 0), sends)
            for year in sorted(years) for unit, sends in expected.get(year, [])
            if received.get((unit, year), 0) < sends]


def year_table(coverage: list[tuple[str, int, int]], expected: Expected) -> list[str]:
    """One line per year: provinces and units with reports (of those expected), forms
    received, and units whose forms are not all in. Pure."""
    if not coverage:
        return ["  (no reports loaded)"]
    incomplete: dict[int, int] = {}
    for year, *_ in incomplete_units(coverage, expected):
        incomplete[year] = incomplete.get(year, 0) + 1
    lines = ["  year   provinces      units    forms  units missing forms"]
    for year in sorted({year for _, year, _ in coverage}):
        rows = [(unit, forms) for unit, y, forms in coverage if y == year]
        wanted = expected.get(year, [])
        provinces = (f"{len({_province(unit) for unit, _ in rows})}"
                     f"/{len({_province(unit) for unit, _ in wanted})}")
        units = f"{len(rows)}/{len(wanted)}"
        forms = format_number(sum(forms for _, forms in rows))
        lines.append(f"  {year}  {provinces:>10}  {units:>9}  {forms:>7}"
                     f"  {format_number(incomplete.get(year, 0)):>19}")
    return lines


def _capped(lines: list[str], *, full: bool, more: str) -> list[str]:
    """At most MAX_LISTED lines, then how many more and where they are."""
    if full or len(lines) <= MAX_LISTED:
        return lines
    hidden = len(lines) - MAX_LISTED
    return [*lines[:MAX_LISTED], f"  … and {format_number(hidden)} more ({more})"]


def _coverage_lines(summary: LoadSummary, *, full: bool) -> list[str]:
    if summary.scope != "national" or full:
        return ["Reports in the warehouse (forms received per unit and year):",
                *coverage_table(summary.coverage)]
    lines = ["Reports in the warehouse (national scope: reporting, of those expected):",
             *year_table(summary.coverage, summary.expected)]
    incomplete = incomplete_units(summary.coverage, summary.expected)
    if incomplete:
        lines.append(f"Units with forms missing: {format_number(len(incomplete))}"
                     " (rule GEN-01 in `tuphap issues`)")
        lines += _capped([f"  - {year} {unit}: " + ("no report" if forms == 0 else
                                                    f"{forms} of {sends} forms")
                          for year, unit, forms, sends in incomplete],
                         full=full, more=f"tuphap load {FULL_SUMMARY_FLAG}")
    lines.append(f"  the unit-by-year table: tuphap load {FULL_SUMMARY_FLAG}")
    return lines


def format_summary(summary: LoadSummary, *, full: bool = False) -> str:
    """The summary; `full` lists everything, even in the national scope."""
    full = full or summary.scope != "national"  # the cluster's summary is one screen in full
    loaded_files = sorted({row["file"] for row in summary.new_loaded}
                          | {row["file"] for row in summary.new_decisions})
    years = {year for _, year, _ in summary.coverage
             if int(summary.years[0]) <= year <= int(summary.years[1])}
    decisions = (f", {counted(len(summary.new_decisions), 'targets decision')}"
                 if summary.new_decisions else "")
    lines = [
        f"tuphap load: scope {summary.scope}, "
        + (f"years {year_ranges(years)}" if years else "no reporting year loaded yet"),
        f"  this load: {counted(len(loaded_files), 'file')} loaded "
        f"({counted(len(summary.new_loaded), 'form')}{decisions}), "
        f"{counted(len(summary.new_rejected), 'file')} rejected",
        f"  warehouse holds: {counted(summary.accepted_files_total, 'accepted file')}, "
        f"{counted(summary.rejected_files_total, 'rejected file')}",
    ]
    if not loaded_files and not summary.new_rejected:
        lines.append("  nothing new in the inbox: the warehouse content is unchanged")
    if summary.new_rejected:
        lines.append("")
        lines.append("Rejected files (kept in the archive; see table rejected_reports):")
        lines += _capped([f"  - {printable(row['file'])}: {printable(row['reason'])}"
                          for row in summary.new_rejected],
                         full=full, more="table rejected_reports")
    if summary.skipped:
        lines.append("")
        lines.append(f"Skipped inbox entries: {format_number(len(summary.skipped))}"
                     " (not read; see table raw.skipped_inbox_entries):")
        lines += _capped([f"  - {printable(row['file'])}: {printable(row['reason'])}"
                          for row in summary.skipped],
                         full=full, more="table raw.skipped_inbox_entries")
    if summary.new_decisions:
        lines.append("")
        lines.append("Targets decisions loaded (a later one for the same year replaces an earlier"
                     " one; `tuphap targets --year N`):")
        lines += _capped([f"  - {printable(row['file'])}: {decision_line(row)}"
                          for row in summary.new_decisions],
                         full=full, more="table fct_target_achievement")
    lines.append("")
    lines += _coverage_lines(summary, full=full)
    lines.append("")
    open_, new = summary.open_issues, summary.new_issues
    lines.append(
        f"Open quality issues: {counted(open_.get('error', 0), 'error')}, "
        f"{counted(open_.get('warn', 0), 'warning')} (new this load: "
        f"{counted(new.get('error', 0), 'error')}, {counted(new.get('warn', 0), 'warning')})"
        " — `tuphap issues`"
    )
    if summary.alert_channels:
        channels = ", ".join(f"{name}: {state}" for name, state in summary.alert_channels.items())
        lines.append(f"Alerts: {channels}")
    if summary.unit_messages:
        lines.append(f"Units: {summary.unit_messages}")
    lines.append("")
    lines.append(f"Warehouse: {summary.warehouse}")
    if summary.reader_hint:
        lines.append(f"  open it read-only, e.g. {summary.reader_hint}")
    lines.append("  queries to start from: README.md, section \"Querying the warehouse\"")
    if summary.yearly_reports_off:
        lines.append(f"  yearly reports: not made after loads ({settings.YEARLY_REPORTS_ENV}=off);"
                     " `tuphap report --year N` writes one")
    lines += _reports_lines(summary.yearly_reports)
    if summary.log_path:
        lines.append(f"  dbt output of this load: {summary.log_path}")
    if summary.dagster_home:
        lines.append(
            f"  runs and lineage in the UI: make dev  (DAGSTER_HOME={summary.dagster_home}"
            + (f", run {summary.run_id}" if summary.run_id else "")
            + ")"
        )
    return "\n".join(lines)


def _reports_lines(reports: BackgroundReports | None) -> list[str]:
    """Where the load's yearly reports will be, and when: they are made after the load
    returns (cli/reports.py)."""
    if reports is None:
        return []
    years = year_ranges(list(reports.years))
    return [
        f"  yearly reports of this load ({years}; HTML, PDF and workbook): being written to "
        f"{reports.folder}",
        f"    in the background (pid {reports.pid}), in about {reports.expected_seconds} s: "
        "each year's files appear whole when done;",
        f"    all are there when Dagster run {reports.run_id} has ended (log: {reports.log})",
    ]

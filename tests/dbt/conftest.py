"""A real dbt build on a real DuckDB file, shared by the tests of tests/dbt.

The raw layer is created with the project's own DDL (orchestration/ingest/raw_schema.py) and filled
with a small, hand-written load that exercises the warehouse's decisions: a total row against
its sub-units, a report with sub-units only, a preliminary report and its replacement (report
dates), a same-day correction without dates (received_at), the 2025 mergers (Hà Giang 02 and
Tuyên Quang 08, Lào Cai 10 -> 15, Yên Bái 15), a value left empty, a rejected file, targets
decisions (one superseded, a unit's own target, another body's STP decision). dbt runs
in-process (dbtRunner) once per test session (per xdist worker), with its target and log paths
in a temporary directory so parallel runs never collide.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult

from orchestration.ingest.raw_schema import RAW_DDL
from orchestration.warehouse.sql import render

# The PostgreSQL test server's fixtures, for test_postgres_build.py.
from tests.postgres_server import pg_database, postgres_server  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DB_PATH_ENV = "TUPHAP_DBT_DB_PATH"
VN = timezone(timedelta(hours=7))


def at(text: str) -> datetime:
    """'2025-01-12 08:00' -> an aware datetime in Việt Nam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


FILE_COLUMNS = (
    "sha256", "source_file", "archive_path", "size_bytes", "received_at", "file_modified_at",
    "file_kind", "status", "reason_code", "reason", "rejection_year", "rejection_unit_code",
    "years", "parsed_scope",
)
RECEIPT_COLUMNS = ("sha256", "source_file", "first_seen_at")
SUBMISSION_COLUMNS = (
    "submission_id", "sha256", "source_file", "unit_code", "province_code", "year", "form",
    "report_date", "unit_name_reported", "sheet_name", "received_at", "file_modified_at",
    "loaded_at",
)
VALUE_COLUMNS = (
    "submission_id", "subunit", "subunit_order", "indicator", "value", "decimals", "source_cell",
)
DECISION_COLUMNS = (
    "decision_id", "sha256", "source_file", "decision_number", "decision_date", "issuer", "year",
    "sheet_name", "received_at", "file_modified_at", "loaded_at",
)
TARGET_COLUMNS = ("decision_id", "unit", "unit_type", "indicator", "comparator", "value",
                  "decimals", "source_cell")

# A sub-unit row: (sub-unit name or None for the total row, {indicator: value}). A value is an
# int (printed without decimals) or a (value, decimals) pair for rates.
Row = tuple[str | None, dict[str, Any]]


@dataclass
class RawLoad:
    """Builds the raw tables' rows the way ingest would write them."""

    files: list[tuple[Any, ...]] = field(default_factory=list)
    receipts: list[tuple[Any, ...]] = field(default_factory=list)
    submissions: list[tuple[Any, ...]] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    decisions: list[tuple[Any, ...]] = field(default_factory=list)
    targets: list[tuple[Any, ...]] = field(default_factory=list)

    def file(
        self,
        name: str,
        received_at: str,
        *,
        modified_at: str | None = None,
        rejected: tuple[str, str, int | None, str | None] | None = None,
        also_named: Sequence[str] = (),
    ) -> str:
        """Register a received file; `rejected` = (reason_code, reason, year, unit_code)."""
        sha = hashlib.sha256(name.encode()).hexdigest()
        kind = name.rsplit(".", 1)[-1]
        reason_code, reason, year, unit_code = rejected or (None, None, None, None)
        self.files.append((
            sha, name, f"archive/{sha[:2]}/{sha}.{kind}", 1000, at(received_at),
            at(modified_at) if modified_at else None, kind,
            "rejected" if rejected else "accepted", reason_code, reason, year, unit_code,
            [year] if year else [], "national",
        ))
        for offset, seen_as in enumerate((name, *also_named)):
            self.receipts.append((sha, seen_as, at(received_at) + timedelta(minutes=offset)))
        return sha

    def submission(
        self,
        sha: str,
        unit_code: str,
        year: int,
        form: str,
        rows: Sequence[Row],
        *,
        report_date: date | None = None,
    ) -> str:
        """Register one unit/year/form of an accepted file with its figures."""
        file_row = next(f for f in self.files if f[0] == sha)
        province_code = unit_code.split("-")[1]
        submission_id = f"{sha}:{unit_code}:{year}:{form}"
        self.submissions.append((
            submission_id, sha, file_row[1], unit_code, province_code, year, form, report_date,
            None, form, file_row[4], file_row[5], file_row[4] + timedelta(seconds=30),
        ))
        subunits_seen = 0
        for subunit, figures in rows:
            subunits_seen += subunit is not None
            order = 0 if subunit is None else subunits_seen
            for column, (indicator, figure) in enumerate(figures.items(), start=2):
                value, decimals = figure if isinstance(figure, tuple) else (figure, 0)
                self.values.append((
                    submission_id, subunit, order, indicator, float(value), decimals,
                    f"{form}!{chr(ord('A') + column - 1)}{10 + order}",
                ))
        return submission_id

    def decision(self, sha: str, number: str, year: int, decision_date: date | None,
                 rows: Sequence[tuple[str, str, str, float, int]],
                 issuer: str = "Tổng cục Thi hành án dân sự") -> str:
        """Register the targets decision an accepted file carries; `rows` are (unit or unit
        type, indicator, comparator, value, decimals)."""
        file_row = next(f for f in self.files if f[0] == sha)
        decision_id = f"{sha}:targets:{year}"
        csv = file_row[1].endswith(".csv")
        self.decisions.append((
            decision_id, sha, file_row[1], number, decision_date, issuer, year,
            None if csv else "CHITIEU", file_row[4], file_row[5],
            file_row[4] + timedelta(seconds=30),
        ))
        for line, (unit, indicator, comparator, value, decimals) in enumerate(rows, start=2):
            self.targets.append((
                decision_id, unit, unit.split("-")[0], indicator, comparator, float(value),
                decimals, f"line {line}" if csv else f"CHITIEU!D{line + 8}",
            ))
        return decision_id

    def write(self, db_path: Path) -> None:
        """Create the raw schema with the project's DDL and insert the rows (bound parameters)."""
        with duckdb.connect(str(db_path)) as con:
            for statement in RAW_DDL:
                con.execute(render(statement))
            for table, columns, rows in (
                ("received_files", FILE_COLUMNS, self.files),
                ("file_receipts", RECEIPT_COLUMNS, self.receipts),
                ("submissions", SUBMISSION_COLUMNS, self.submissions),
                ("submission_values", VALUE_COLUMNS, self.values),
                ("target_decisions", DECISION_COLUMNS, self.decisions),
                ("target_values", TARGET_COLUMNS, self.targets),
            ):
                # Identifiers are this module's constants; every value is a bound parameter.
                con.executemany(
                    f"insert into raw.{table} ({', '.join(columns)})"  # noqa: S608
                    f" values ({', '.join('?' * len(columns))})",
                    rows,
                )


def dissemination(sessions: int | None, attendees: int | None, documents: int | None,
                  reporters: int | None, propagandists: int | None) -> dict[str, Any]:
    figures = {"sessions": sessions, "attendees": attendees, "documents": documents,
               "legal_reporters": reporters, "legal_propagandists": propagandists}
    return {k: v for k, v in figures.items() if v is not None}  # None = cell left empty


ENFORCEMENT = ("carried_over", "new", "accepted", "entrusted", "revoked", "to_enforce",
               "eligible", "not_eligible", "completed", "terminated", "resolved",
               "carried_forward")


def enforcement(*counts: int | None, rate: tuple[float, int] | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {k: v for k, v in zip(ENFORCEMENT, counts, strict=True)
                               if v is not None}
    if rate is not None:
        figures["resolution_rate"] = rate
    return figures


@dataclass(frozen=True)
class Scenario:
    """What the tests assert against: the submission ids of the interesting cases."""

    submissions: dict[str, str]
    rejected_sha: str


def build_scenario(load: RawLoad) -> Scenario:
    ids: dict[str, str] = {}

    # Legal dissemination (PBGDPL), 2024.
    # Hà Giang 02: a total row only.
    sha = load.file("ha_giang_2024.xlsx", "2025-01-08 10:00")
    ids["stp02_2024_pbgdpl"] = load.submission(
        sha, "STP-02", 2024, "PBGDPL", [(None, dissemination(2000, 150000, 30000, 45, 800))])
    # Cao Bằng 04: a total row that disagrees with its sub-units (1.190 sessions): the total wins.
    sha = load.file("cao_bang_2024.xlsx", "2025-01-09 10:00")
    ids["stp04_2024_pbgdpl"] = load.submission(sha, "STP-04", 2024, "PBGDPL", [
        (None, dissemination(1200, 90000, 15000, 40, 500)),
        ("Huyện A", dissemination(700, 50000, 8000, 20, 250)),
        ("Huyện B", dissemination(490, 40000, 7000, 20, 250)),
    ])
    # Cao Bằng 04 mediation: sub-units only, summed; sub-unit rates are never summed.
    ids["stp04_2024_hoagiai"] = load.submission(sha, "STP-04", 2024, "HOAGIAI", [
        ("Huyện A", {"teams": 100, "mediators": 600, "cases_received": 120,
                     "cases_successful": 100, "cases_unsuccessful": 15, "cases_pending": 5,
                     "success_rate": (83.33, 2)}),
        ("Huyện B", {"teams": 150, "mediators": 900, "cases_received": 80,
                     "cases_successful": 60, "cases_unsuccessful": 15, "cases_pending": 5,
                     "success_rate": (75.0, 0)}),
    ])
    # Lào Cai 10: sub-units only.
    sha = load.file("lao_cai_2024.csv", "2025-01-10 10:00")
    ids["stp10_2024_pbgdpl"] = load.submission(sha, "STP-10", 2024, "PBGDPL", [
        ("Huyện Bảo Thắng", dissemination(800, 60000, 9000, 20, 300)),
        ("Thị xã Sa Pa", dissemination(700, 55000, 8000, 15, 250)),
    ])
    # Điện Biên 11: the official report (dated 10/01/2025, propagandists left empty) and the
    # preliminary one (dated 30/11/2024) sent again AFTER it: the later report date wins.
    sha = load.file("dien_bien_chinh_thuc.xlsx", "2025-01-12 08:00")
    ids["stp11_official"] = load.submission(
        sha, "STP-11", 2024, "PBGDPL", [(None, dissemination(1000, 70000, 12000, 30, None))],
        report_date=date(2025, 1, 10))
    sha = load.file("dien_bien_so_bo.xlsx", "2025-01-15 08:00")
    ids["stp11_preliminary"] = load.submission(
        sha, "STP-11", 2024, "PBGDPL", [(None, dissemination(900, 60000, 11000, 30, 400))],
        report_date=date(2024, 11, 30))
    # Yên Bái 15 (before the merger; not a cluster member, reports under the national scope).
    sha = load.file("yen_bai_2024.xlsx", "2025-01-11 10:00")
    ids["stp15_2024_pbgdpl"] = load.submission(
        sha, "STP-15", 2024, "PBGDPL", [(None, dissemination(1100, 80000, 14000, 25, 450))])

    # Grassroots mediation (HOAGIAI), 2024: a same-day pair without report dates.
    sha = load.file("lai_chau_hoa_giai.xlsx", "2025-01-05 09:00", modified_at="2025-01-05 08:55")
    ids["stp12_first"] = load.submission(sha, "STP-12", 2024, "HOAGIAI", [
        (None, {"teams": 200, "mediators": 1000, "cases_received": 100, "cases_successful": 80,
                "cases_unsuccessful": 15, "cases_pending": 5, "success_rate": (80, 0)}),
    ])
    sha = load.file("lai_chau_hoa_giai_sua.xlsx", "2025-01-05 15:00",
                    modified_at="2025-01-05 14:50")
    ids["stp12_correction"] = load.submission(sha, "STP-12", 2024, "HOAGIAI", [
        (None, {"teams": 210, "mediators": 1050, "cases_received": 120, "cases_successful": 102,
                "cases_unsuccessful": 12, "cases_pending": 6, "success_rate": (85, 0)}),
    ])

    # Enforcement, 2024.
    sha = load.file("thads_lao_cai_2024.xlsx", "2024-10-15 10:00")
    ids["thads10_2024_viec"] = load.submission(sha, "THADS-10", 2024, "THADS_VIEC", [
        (None, enforcement(1000, 2500, 3500, 50, 10, 3440, 3000, 440, 2500, 100, 2600, 840,
                           rate=(86.67, 2))),
    ])
    ids["thads10_2024_tien"] = load.submission(sha, "THADS-10", 2024, "THADS_TIEN", [
        (None, enforcement(500000, 1500000, 2000000, 20000, 5000, 1975000, 1600000, 375000,
                           1000000, 200000, 1200000, 775000)),
    ])
    # Cao Bằng 04: cases only, "entrusted" left empty.
    sha = load.file("thads_cao_bang_2024.xlsx", "2024-10-16 10:00")
    ids["thads04_2024_viec"] = load.submission(sha, "THADS-04", 2024, "THADS_VIEC", [
        (None, enforcement(400, 1100, 1500, None, 0, 1500, 1200, 300, 1000, 80, 1080, 420)),
    ])

    # 2025, after the mergers.
    sha = load.file("tuyen_quang_2025.xlsx", "2026-01-08 10:00")
    ids["stp08_2025_pbgdpl"] = load.submission(
        sha, "STP-08", 2025, "PBGDPL", [(None, dissemination(3500, 260000, 50000, 80, 1400))])
    sha = load.file("lao_cai_2025.xlsx", "2026-01-09 10:00")
    ids["stp15_2025_pbgdpl"] = load.submission(
        sha, "STP-15", 2025, "PBGDPL", [(None, dissemination(2700, 200000, 32000, 60, 1000))])
    sha = load.file("thads_lao_cai_2025.xlsx", "2025-10-15 10:00")
    ids["thads15_2025_viec"] = load.submission(sha, "THADS-15", 2025, "THADS_VIEC", [
        (None, enforcement(1500, 2000, 3500, 0, 0, 3500, 2800, 700, 2300, 150, 2450, 1050,
                           rate=(87.5, 1))),
    ])

    # Targets. 2024 THADS: a decision (THADS-04 given its own case target), replaced by a later
    # one with other type-wide values and THADS-10's own case target; a decision of another
    # body with the STP units' mediation target beside them. 2025: the successors, and no
    # money target for most units (TGT-01).
    sha = load.file("chi_tieu_2024.xlsx", "2024-01-12 09:00")
    ids["targets_2024_first"] = load.decision(sha, "10/QĐ-TCTHADS", 2024, date(2024, 1, 10), [
        ("THADS", "case_resolution_rate", "trên", 85.0, 2),
        ("THADS", "money_resolution_rate", "trên", 40.1, 2),
        ("THADS-04", "case_resolution_rate", "từ", 90.0, 0),
    ])
    sha = load.file("chi_tieu_2024_dieu_chinh.csv", "2024-06-21 09:00")
    ids["targets_2024_in_force"] = load.decision(sha, "55/QĐ-TCTHADS", 2024, date(2024, 6, 20), [
        ("THADS", "case_resolution_rate", "trên", 86.0, 2),
        ("THADS", "money_resolution_rate", "trên", 60.0, 0),
        ("THADS-10", "case_resolution_rate", "từ", 86.67, 2),
    ])
    sha = load.file("chi_tieu_hoa_giai_2024.xlsx", "2024-02-02 09:00")
    ids["targets_2024_stp"] = load.decision(sha, "7/QĐ-BTP", 2024, date(2024, 2, 1), [
        ("STP", "success_rate", "từ", 85.0, 0),
    ], issuer="Bộ Tư pháp")
    sha = load.file("chi_tieu_2025.xlsx", "2025-01-16 09:00")
    ids["targets_2025"] = load.decision(sha, "3/QĐ-CQLTHADS", 2025, date(2025, 1, 15), [
        ("THADS", "case_resolution_rate", "trên", 80.0, 0),
        ("THADS-15", "money_resolution_rate", "trên", 45.0, 0),
    ], issuer="Cục Quản lý thi hành án dân sự")

    # A rejected file, received under two names.
    rejected_sha = load.file(
        "son_la_2024.xlsx", "2025-01-20 10:00", also_named=("son_la_2024 (1).xlsx",),
        rejected=("not_a_number", "Tệp son_la_2024.xlsx, trang PBGDPL, ô C12: 'mười' không phải "
                  "là số.", 2024, "STP-14"),
    )
    return Scenario(submissions=ids, rejected_sha=rejected_sha)


@dataclass
class DbtRun:
    """The outcome of one in-process dbt invocation, with the events it logged."""

    result: dbtRunnerResult
    warnings: list[str]
    errors: list[str]
    target_path: Path


def assert_clean_build(build: DbtRun) -> None:
    """A `dbt build` that succeeded with no error or warning and every node passed (an
    exposure, which reads the marts outside dbt, has nothing to run: dbt reports no-op)."""
    assert build.result.exception is None
    assert build.errors == []
    assert build.warnings == []
    assert build.result.success
    statuses = {str(r.status) for r in build.result.result.results
                if r.node.resource_type != "exposure"}
    assert statuses <= {"success", "pass"}, statuses


def run_dbt(args: Sequence[str], db_path: Path | None, work_dir: Path,
            env: Mapping[str, str] | None = None) -> DbtRun:
    """Run one dbt command in-process against `db_path`, capturing warning and error events.

    `env`: more environment for the run (e.g. the PostgreSQL target's, with no `db_path`)."""
    warnings: list[str] = []
    errors: list[str] = []

    def collect(event: Any) -> None:
        level = event.info.level
        if level == "warn":
            warnings.append(f"{event.info.name}: {event.info.msg}")
        elif level == "error":
            errors.append(f"{event.info.name}: {event.info.msg}")

    target_path = work_dir / "target"
    cli_args = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_path),
        "--log-path", str(work_dir / "logs"),
    ]
    overrides = {**({DB_PATH_ENV: str(db_path)} if db_path else {}), **(env or {})}
    previous_env = {name: os.environ.get(name) for name in overrides}
    previous_cwd = os.getcwd()
    os.environ.update(overrides)
    try:
        result = dbtRunner(callbacks=[collect]).invoke(cli_args)
    finally:
        os.chdir(previous_cwd)  # dbt moves into the project directory
        # dbt-duckdb keeps its DuckDB instance for the process; release the file so the tests
        # can open it read-only, as an analyst would, like a separate dbt process would leave it.
        DuckDBConnectionManager.close_all_connections()
        gc.collect()
        for name, value in previous_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return DbtRun(result=result, warnings=warnings, errors=errors, target_path=target_path)


@dataclass
class Warehouse:
    db_path: Path
    build: DbtRun
    scenario: Scenario

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts, read-only, as an analyst would."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The scenario loaded into raw and `dbt build` run once for the session."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    work_dir = tmp_path_factory.mktemp("dbt_build")
    db_path = work_dir / "tuphap.duckdb"
    load = RawLoad()
    scenario = build_scenario(load)
    load.write(db_path)
    build = run_dbt(["build"], db_path, work_dir)
    yield Warehouse(db_path=db_path, build=build, scenario=scenario)

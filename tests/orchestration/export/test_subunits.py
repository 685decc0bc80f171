"""Sub-unit names of a unit's latest accepted report, read from a real DuckDB raw layer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.reference import Registry
from orchestration.export.subunits import fetch_subunit_names
from orchestration.ingest.raw_schema import RAW_DDL
from orchestration.warehouse.sql import render


def _submit(con: duckdb.DuckDBPyConnection, sha: str, unit: str, year: int, form: str,
            report_date: date | None, received: datetime, subunits: list[str]) -> None:
    submission_id = f"{sha}:{unit}:{year}:{form}"
    con.execute(
        "insert into raw.submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [submission_id, sha, f"{sha}.xlsx", unit, unit.split("-")[1], year, form, report_date,
         None, form, received, None, received])
    for order, name in enumerate(subunits, start=1):
        for indicator in ("new", "resolved"):
            con.execute("insert into raw.submission_values values (?, ?, ?, ?, ?, ?, ?)",
                        [submission_id, name, order, indicator, 1.0, 0, f"{form}!C{order}"])
    con.execute("insert into raw.submission_values values (?, ?, ?, ?, ?, ?, ?)",
                [submission_id, None, 0, "new", 9.0, 0, f"{form}!C99"])


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for statement in RAW_DDL:
        con.execute(render(statement))
    t = datetime(2025, 1, 1, tzinfo=UTC)
    later = datetime(2025, 2, 1, tzinfo=UTC)
    _submit(con, "a", "THADS-14", 2023, "THADS_VIEC", date(2023, 10, 5), t, ["Chi cục A"])
    _submit(con, "b", "THADS-14", 2024, "THADS_VIEC", date(2024, 10, 9), t,
            ["Chi cục Mộc Châu", "Chi cục Yên Châu"])
    # The same year sent again with an earlier report date but received later: not newer.
    _submit(con, "c", "THADS-14", 2024, "THADS_VIEC", date(2024, 10, 1), later, ["Chi cục Cũ"])
    _submit(con, "d", "THADS-14", 2024, "THADS_TIEN", None, t,
            ["Chi cục Yên Châu", "Chi cục Mộc Châu", "=cmd|' /C calc'!A0"])
    _submit(con, "e", "THADS-15", 2024, "THADS_VIEC", date(2024, 10, 2), t, ["Chi cục Văn Yên"])
    return con


def test_latest_accepted_report_per_form_in_report_order(
        warehouse: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    names = fetch_subunit_names(warehouse, "THADS-14", 2024, registry=registry)
    assert names == {"THADS_VIEC": ["Chi cục Mộc Châu", "Chi cục Yên Châu"],
                     "THADS_TIEN": ["Chi cục Yên Châu", "Chi cục Mộc Châu",
                                    "=cmd|' /C calc'!A0"]}


def test_only_years_up_to_the_template_year(warehouse: duckdb.DuckDBPyConnection,
                                            registry: Registry) -> None:
    assert fetch_subunit_names(warehouse, "THADS-14", 2023, registry=registry) == {
        "THADS_VIEC": ["Chi cục A"], "THADS_TIEN": []}


def test_a_successor_code_does_not_inherit_the_old_units_names(
        warehouse: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """THADS-15 was Yên Bái's agency up to 2024 and is Lào Cai's from 2025."""
    assert fetch_subunit_names(warehouse, "THADS-15", 2024, registry=registry)["THADS_VIEC"] == [
        "Chi cục Văn Yên"]
    assert fetch_subunit_names(warehouse, "THADS-15", 2025, registry=registry) == {
        "THADS_VIEC": [], "THADS_TIEN": []}


def test_unknown_unit_gives_nothing(warehouse: duckdb.DuckDBPyConnection,
                                    registry: Registry) -> None:
    assert fetch_subunit_names(warehouse, "THADS-10", 2025, registry=registry) == {}
    assert fetch_subunit_names(warehouse, "x' or 1=1 --", 2024, registry=registry) == {}

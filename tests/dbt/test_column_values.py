"""The consolidated column_values test still catches every kind of broken value, naming the column.

The per-column tests of the project are merged into one `column_values` test per model
(tests/generic/column_values.sql) because a dbt build pays per test node. These tests break a
copy of the built warehouse on purpose and run the very SQL the build compiled for that test.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt.conftest import Warehouse

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")

# The build of a production load must fit its time budget; dbt's cost is per node. 66 before
# the targets (issue 22), whose six models added ten: each model's primary key, and one
# column_values test per public or staging model.
MAX_DATA_TESTS = 80  # 76 + rpt_submissions' and its staging's key and column checks


def compiled_column_values(warehouse: Warehouse, model: str) -> str:
    """The SQL the build ran for `model`'s column_values test."""
    for result in warehouse.build.result.result.results:
        node = result.node
        if (node.resource_type == "test" and node.test_metadata.name == "column_values"
                and node.attached_node == f"model.tuphap.{model}"):
            assert str(result.status) == "pass"
            return node.compiled_code
    raise AssertionError(f"no column_values test on {model}")


def failures(db_path: Path, sql: str) -> Counter[tuple[Any, ...]]:
    """(failing_column, failed_check, submission_id) of every row the test returns."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return Counter((r["failing_column"], r["failed_check"], r["submission_id"]) for r in rows)


def change(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> None:
    """Run an UPDATE that must hit at least one row (else the test would prove nothing)."""
    assert con.execute(sql, params).fetchone()[0] >= 1, sql


@pytest.fixture()
def broken_copy(warehouse: Warehouse, tmp_path: Path) -> Path:
    """The built warehouse, copied under the same name (the compiled SQL names its catalog)."""
    db_path = tmp_path / warehouse.db_path.name
    shutil.copy(warehouse.db_path, db_path)
    return db_path


def test_every_check_fails_on_its_own_column(warehouse: Warehouse, broken_copy: Path) -> None:
    ids = warehouse.scenario.submissions
    with duckdb.connect(str(broken_copy)) as con:
        change(con, "update intermediate.int_submissions_ranked set unit_code = null"
               " where submission_id = ?", [ids["stp08_2025_pbgdpl"]])
        change(con, "update intermediate.int_submissions_ranked set ranking_basis = 'guess'"
               " where submission_id = ?", [ids["stp15_2025_pbgdpl"]])
        change(con, "update intermediate.int_submissions_ranked set submission_id = ?"
               " where submission_id = ?",
               [ids["thads15_2025_viec"], ids["thads04_2024_viec"]])
        change(con, "update intermediate.int_unit_totals set value = -5"
               " where submission_id = ? and indicator = 'sessions'",
               [ids["stp15_2025_pbgdpl"]])
        change(con, "update intermediate.int_unit_totals set submission_id = 'orphan'"
               " where submission_id = ?", [ids["thads10_2024_tien"]])

    assert failures(broken_copy, compiled_column_values(warehouse, "int_submissions_ranked")) == {
        ("unit_code", "not_null", ids["stp08_2025_pbgdpl"]): 1,
        ("ranking_basis", "accepted_values", ids["stp15_2025_pbgdpl"]): 1,
        ("submission_id", "unique", ids["thads15_2025_viec"]): 2,  # both rows of the id
    }
    assert failures(broken_copy, compiled_column_values(warehouse, "int_unit_totals")) == {
        ("value", "not_negative", ids["stp15_2025_pbgdpl"]): 1,
        # every indicator row of the submission
        ("submission_id", "relationships", "orphan"): 12,
    }


def test_null_fails_only_not_null(warehouse: Warehouse, broken_copy: Path) -> None:
    """NULL is "not reported": not_negative, accepted_values and relationships let it through."""
    ids = warehouse.scenario.submissions
    with duckdb.connect(str(broken_copy)) as con:
        change(con, "update main.fct_enforcement set cases_new = null"
               " where cases_submission_id = ?", [ids["thads04_2024_viec"]])
        change(con, "update intermediate.int_submissions_ranked set ranking_basis = null"
               " where submission_id = ?", [ids["stp15_2025_pbgdpl"]])
        change(con, "update intermediate.int_unit_totals set submission_id = null"
               " where submission_id = ? and indicator = 'sessions'",
               [ids["stp15_2025_pbgdpl"]])
    for model in ("fct_enforcement", "int_submissions_ranked"):
        assert failures(broken_copy, compiled_column_values(warehouse, model)) == Counter()
    assert failures(broken_copy, compiled_column_values(warehouse, "int_unit_totals")) == {
        ("submission_id", "not_null", None): 1,
    }


def test_data_tests_stay_few(warehouse: Warehouse) -> None:
    manifest = json.loads((warehouse.build.target_path / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(tests) <= MAX_DATA_TESTS, "merge per-column checks into column_values"


def test_between_bounds_a_percentage(warehouse: Warehouse, broken_copy: Path) -> None:
    """A target outside 0-100 fails `between`; the bounds themselves and NULL pass."""
    with duckdb.connect(str(broken_copy)) as con:
        change(con, "update main.fct_target_achievement set target = 100.5"
               " where unit_code = 'THADS-10' and year = 2024"
               " and indicator = 'case_resolution_rate'", [])
        change(con, "update main.fct_target_achievement set target = 100"
               " where unit_code = 'THADS-04' and year = 2024"
               " and indicator = 'case_resolution_rate'", [])
        change(con, "update main.fct_target_achievement set target = 0"
               " where unit_code = 'THADS-15' and year = 2025"
               " and indicator = 'case_resolution_rate'", [])
    sql = compiled_column_values(warehouse, "fct_target_achievement")
    with duckdb.connect(str(broken_copy), read_only=True) as con:
        rows = con.execute(f"select failing_column, failed_check, unit_code from ({sql})"  # noqa: S608
                           ).fetchall()
    assert rows == [("target", "between", "THADS-10")]

"""The project's SQL on every engine connection (orchestration/warehouse/sql.py): `?` values
bound, schema placeholders mapped, nothing else of the SQL touched."""

from __future__ import annotations

from pathlib import Path

from orchestration.warehouse.duckdb import connect
from orchestration.warehouse.sql import query_dicts, render, run_query, table_exists, to_format


def test_duckdb_runs_the_placeholders_on_its_own_schemas(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema {raw}")
        con.execute("create table {raw}.t as select ? as a, ? as b", (1, "50%"))
        assert run_query(con, "select a, b from {raw}.t where a = ?", (1,)) == (
            ["a", "b"], [(1, "50%")])
        assert query_dicts(con, "select b, '{raw}' as c from raw.t") == [
            {"b": "50%", "c": "raw"}]
        assert table_exists(con, "raw", "t") and not table_exists(con, "raw", "u")


def test_only_the_project_schemas_placeholders_are_replaced() -> None:
    sql = "select '{\"a\": {raw}}', {main}.x from {other}.y, {raw}.z"
    assert render(sql) == "select '{\"a\": raw}', main.x from {other}.y, raw.z"
    assert render(sql, {"raw": "raw__build"}) == (
        "select '{\"a\": raw__build}', main.x from {other}.y, raw__build.z")


def test_psycopg_gets_percent_s_and_its_literal_percents_escaped() -> None:
    sql = "select * from t where a = ? and b like 'x%'"
    assert to_format(sql) == "select * from t where a = %s and b like 'x%%'"

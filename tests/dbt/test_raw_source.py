"""The raw source's yml (data_type, constraints) and the raw tables ingest creates agree.

`models/staging/raw/_raw__sources.yml` declares every raw column once; the raw DDL that ingest
runs must create exactly those tables. DuckDB itself normalises the yml's type spellings (a
table is created from them), so `timestamptz` and `timestamp with time zone` compare equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.ingest.raw_schema import RAW_DDL
from orchestration.warehouse.sql import render
from tests.dbt.conftest import DBT_PROJECT_DIR

RAW_SOURCE_YML = DBT_PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml"

# (table, column, DuckDB type, nullable) in column order; table -> primary key columns
Columns = list[tuple[str, str, str, bool]]
Keys = dict[str, tuple[str, ...]]


def _raw_source() -> dict[str, Any]:
    sources = yaml.safe_load(RAW_SOURCE_YML.read_text(encoding="utf-8"))["sources"]
    (raw,) = [s for s in sources if s["name"] == "raw"]
    return raw


def _has(constraints: list[dict[str, Any]], kind: str) -> bool:
    return any(c["type"] == kind for c in constraints)


def _yml_as_ddl() -> list[str]:
    """The yml's tables as DuckDB DDL (only to let DuckDB normalise the declared types)."""
    statements = ["create schema raw"]
    for table in _raw_source()["tables"]:
        columns = []
        for column in table["columns"]:
            constraints = column.get("constraints", [])
            flags = (" primary key" if _has(constraints, "primary_key")
                     else " not null" if _has(constraints, "not_null") else "")
            columns.append(f"{column['name']} {column['data_type']}{flags}")
        for key in table.get("constraints", []):
            assert key["type"] == "primary_key", key
            columns.append(f"primary key ({', '.join(key['columns'])})")
        statements.append(f"create table raw.{table['name']} ({', '.join(columns)})")
    return statements


def _describe(db_path: Path, statements: list[str] | tuple[str, ...]) -> tuple[Columns, Keys]:
    with duckdb.connect(str(db_path)) as con:
        for statement in statements:
            con.execute(render(statement))
        columns = [
            (table, column, data_type, nullable == "YES")
            for table, column, data_type, nullable in con.execute(
                "select table_name, column_name, data_type, is_nullable"
                " from information_schema.columns where table_schema = 'raw'"
                " order by table_name, ordinal_position").fetchall()
        ]
        keys = {
            table: tuple(key_columns)
            for table, key_columns in con.execute(
                "select table_name, constraint_column_names from duckdb_constraints()"
                " where schema_name = 'raw' and constraint_type = 'PRIMARY KEY'").fetchall()
        }
    return columns, keys


def test_every_raw_column_declares_its_type() -> None:
    for table in _raw_source()["tables"]:
        for column in table["columns"]:
            assert column.get("data_type"), (table["name"], column["name"])


def test_the_raw_ddl_creates_the_declared_tables(tmp_path: Path) -> None:
    """Same tables, columns in the same order, types, nullability and primary keys."""
    declared = _describe(tmp_path / "declared.duckdb", _yml_as_ddl())
    created = _describe(tmp_path / "created.duckdb", RAW_DDL)
    assert created == declared

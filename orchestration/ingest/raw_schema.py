"""DDL of the warehouse's raw layer: what ingest writes and dbt reads as sources.

Raw tables are append-mostly and keyed by content (sha256), so re-loading the same inbox is a
no-op and every received file stays traceable. dbt never writes here.

The columns are declared once, in the dbt source (dbt_project/models/staging/raw/
_raw__sources.yml): name, DuckDB type (`data_type`), and constraints (not_null, primary_key),
with their documentation. The DDL is derived from it; only the migrations of older warehouses
are written here. tests/dbt/test_raw_source.py checks the tables against the yml.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ingest.calendar import Calendar
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse.engine import Build, Connection

RAW_SOURCE_YML = DBT_PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml"
RAW_SCHEMA = "raw"

# Warehouses built before a column existed: it is added (after the tables are created).
MIGRATIONS = (
    "alter table {raw}.received_files add column if not exists parse_notes varchar[]",
)

# The yml is the project's own, but it becomes SQL: only plain names and type spellings pass.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_TYPE = re.compile(r"[a-z][a-z ]*(\[\])?")


def _checked(pattern: re.Pattern[str], text: str) -> str:
    if not pattern.fullmatch(text):
        raise ValueError(f"{RAW_SOURCE_YML.name}: {text!r} cannot go into the raw DDL")
    return text


def _has(constraints: list[dict[str, Any]], kind: str) -> bool:
    return any(constraint["type"] == kind for constraint in constraints)


def create_table(schema: str, table: dict[str, Any]) -> str:
    """`create table if not exists` for one table of the source."""
    parts = []
    for column in table["columns"]:
        constraints = column.get("constraints", [])
        flags = (" primary key" if _has(constraints, "primary_key")
                 else " not null" if _has(constraints, "not_null") else "")
        parts.append(f"{_checked(_IDENTIFIER, column['name'])} "
                     f"{_checked(_TYPE, column['data_type'])}{flags}")
    for constraint in table.get("constraints", []):
        if constraint["type"] != "primary_key":
            raise ValueError(f"{RAW_SOURCE_YML.name}: unsupported table constraint {constraint}")
        key = ", ".join(_checked(_IDENTIFIER, name) for name in constraint["columns"])
        parts.append(f"primary key ({key})")
    name = f"{{{_checked(_IDENTIFIER, schema)}}}.{_checked(_IDENTIFIER, table['name'])}"
    return f"create table if not exists {name} ({', '.join(parts)})"


def raw_ddl(source_yml: Path = RAW_SOURCE_YML) -> tuple[str, ...]:
    """Every statement that creates the raw layer, or brings an older one up to date; the
    schema is the placeholder `{raw}` (orchestration/warehouse/sql.py), so it runs on any
    build's connection."""
    # libyaml's safe loader when built with it: ~10x faster, on every load's path.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sources = yaml.load(source_yml.read_text(encoding="utf-8"), Loader=loader)["sources"]
    (source,) = [s for s in sources if s["name"] == RAW_SCHEMA]
    schema = RAW_SCHEMA  # the yml's schema adds a PostgreSQL build's suffix (dbt only)
    return (f"create schema if not exists {{{_checked(_IDENTIFIER, schema)}}}",
            *(create_table(schema, table) for table in source["tables"]),
            *MIGRATIONS)


RAW_DDL: tuple[str, ...] = raw_ddl()


def ensure_raw_schema(con: Connection) -> None:
    """Create the raw tables ingest writes on a build's connection, or bring older ones up to
    date."""
    for statement in RAW_DDL:
        con.execute(statement)


def write_calendar(build: Build, calendar: Calendar) -> None:
    """Replace `raw.reporting_calendar` with the data team's due dates (a few dozen rows, in
    one transaction of the build: a load sees the calendar as it was when it began)."""
    with build.connect() as con:
        con.execute("delete from {raw}.reporting_calendar")
        for row in calendar.rows():  # in the order of CALENDAR_COLUMNS
            con.execute("insert into {raw}.reporting_calendar (year, unit_type, due_date)"
                        " values (?, ?, ?)", list(row))

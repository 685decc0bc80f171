"""Helpers of the tests that build the dbt project on PostgreSQL and compare it with DuckDB."""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from tests.postgres.compare import differences, duckdb_table, postgres_table

# The schemas dbt builds (macros/generate_schema_name.sql).
BUILT_SCHEMAS = ("reference", "staging", "intermediate", "main", "quality")


def dbt_environment(url: str) -> dict[str, str]:
    """What the profile's `postgres` target reads, for the database at `url` (no password:
    the test server trusts local connections)."""
    parts = conninfo_to_dict(url)
    return {"TUPHAP_DBT_TARGET": "postgres", "TUPHAP_PG_HOST": str(parts["host"]),
            "TUPHAP_PG_PORT": str(parts["port"]), "TUPHAP_PG_USER": str(parts["user"]),
            "TUPHAP_PG_DATABASE": str(parts["dbname"])}


def postgres_relations(url: str, schemas: tuple[str, ...] = BUILT_SCHEMAS
                       ) -> list[tuple[str, str]]:
    """(schema, name) of every table and view in `schemas` of the database at `url`."""
    with psycopg.connect(url) as con:
        return sorted(con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema = any(%s)", [list(schemas)]).fetchall())


def differing(db_path: Path, url: str, relations: list[tuple[str, str]]
              ) -> dict[str, list[str]]:
    """Relation -> what differs between the DuckDB file and the PostgreSQL database."""
    found = {}
    for schema, name in relations:
        problems = differences(duckdb_table(db_path, schema, name),
                               postgres_table(url, schema, name))
        if problems:
            found[f"{schema}.{name}"] = problems
    return found

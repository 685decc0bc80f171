"""The raw layer of a DuckDB warehouse copied into a PostgreSQL database: the project's raw DDL
(orchestration/ingest/raw_schema.py, portable SQL) and every row with COPY, so tests can build
both engines from exactly the same raw rows (written once, by the existing DuckDB fixtures)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from orchestration.ingest.raw_schema import RAW_DDL, RAW_SCHEMA
from orchestration.warehouse.sql import render


def copy_raw_tables(duckdb_path: Path, url: str) -> dict[str, int]:
    """Create the raw tables in the database at `url` and COPY every row of the DuckDB file's
    raw tables into them; returns the rows copied per table."""
    copied = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as source, \
            psycopg.connect(url) as target:
        for statement in RAW_DDL:
            target.execute(render(statement))
        tables = [name for (name,) in source.execute(
            "select table_name from information_schema.tables where table_schema = ?"
            " order by table_name", [RAW_SCHEMA]).fetchall()]
        for table in tables:
            # Identifiers read from the catalogue, quoted; rows go through COPY, never SQL text.
            cursor = source.execute(f'select * from {RAW_SCHEMA}."{table}"')  # noqa: S608
            columns = [d[0] for d in cursor.description]
            statement = sql.SQL("copy {}.{} ({}) from stdin").format(
                sql.Identifier(RAW_SCHEMA), sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, columns)))
            rows = cursor.fetchall()
            with target.cursor() as copy_cursor, copy_cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            copied[table] = len(rows)
    return copied

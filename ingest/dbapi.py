"""One query on any DB-API connection the project hands around: DuckDB's today, psycopg's too.

The SQL is written once with `?` placeholders and translated to the driver's paramstyle, so the
template's sub-unit names, the exports and the yearly report run unchanged on either engine;
values are always bound, never pasted into the SQL. Here, not in orchestration/, because the
template writer (ingest/template) reads a warehouse too and ingest imports nothing above it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


def paramstyle(connection: Any) -> str:
    """The DB-API `paramstyle` of the connection's driver module."""
    module = sys.modules.get(type(connection).__module__.split(".")[0])
    return str(getattr(module, "paramstyle", "qmark"))


def to_paramstyle(sql: str, style: str) -> str:
    """`?` placeholders for drivers that want `%s` (psycopg); the SQL has no other `?`."""
    if style in ("format", "pyformat"):
        return sql.replace("%", "%%").replace("?", "%s")
    if style not in ("qmark", "numeric"):
        raise ValueError(f"unsupported DB-API paramstyle {style!r}")
    return sql


def run_query(connection: Any, sql: str, params: Sequence[object] = ()
              ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of `sql` (with `?` placeholders) through a cursor."""
    cursor = connection.cursor()
    try:
        cursor.execute(to_paramstyle(sql, paramstyle(connection)), tuple(params))
        return [d[0] for d in cursor.description or ()], list(cursor.fetchall())
    finally:
        cursor.close()


def query_dicts(connection: Any, sql: str, params: Sequence[object] = ()
                ) -> list[dict[str, Any]]:
    """The rows of `sql` as dicts by column name."""
    names, rows = run_query(connection, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]

"""A psycopg connection with the shape the load's code expects of a warehouse connection.

The load's SQL (ingest's reads, the quality history, the summaries) is written once, with `?`
placeholders and the published schema names (`raw.received_files`, `main.dq_issues`), and runs
unchanged on DuckDB. On PostgreSQL a load writes build schemas (`raw__build`, ...) that are
renamed into place at publish, so a build's connection maps the published names to the build's,
as SQLAlchemy's `schema_translate_map` does. The map only touches `<schema>.` prefixes of the
project's own SQL (schemas the project names), never values: values are always bound.

Autocommit, like DuckDB's connections: the load's code opens its transactions explicitly
(`begin transaction` ... `commit`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ingest.dbapi import to_paramstyle

# DB-API: ingest/dbapi.py reads the paramstyle of a connection's module; this wrapper takes `?`.
paramstyle = "qmark"


def schema_pattern(schemas: Iterable[str]) -> re.Pattern[str]:
    """`<schema>.` where a schema-qualified name starts (not inside another identifier or
    a quoted name)."""
    names = "|".join(sorted(map(re.escape, schemas), key=len, reverse=True))
    return re.compile(rf'(?<![\w."])({names})\.(?=[A-Za-z_"])')


def map_schemas(query: str, schemas: Mapping[str, str]) -> str:
    """`query` with its schema-qualified names moved to the schemas `schemas` maps them to."""
    if not schemas:
        return query
    return schema_pattern(schemas).sub(lambda match: schemas[match.group(1)] + ".", query)


def translate(query: str, schemas: Mapping[str, str]) -> str:
    """`query` with the `?` placeholders psycopg takes (%s) and its schemas mapped."""
    return to_paramstyle(map_schemas(query, schemas), "format")


class PostgresCursor:
    """A psycopg cursor that takes `?` placeholders and can hand back NumPy columns."""

    def __init__(self, cursor: Any, schemas: Mapping[str, str]) -> None:
        self._cursor = cursor
        self._schemas = schemas

    def execute(self, query: str, parameters: Sequence[Any] = ()) -> PostgresCursor:
        self._cursor.execute(translate(query, self._schemas), tuple(parameters) or None)
        return self

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> PostgresCursor:
        self._cursor.executemany(translate(query, self._schemas), [tuple(row) for row in rows])
        return self

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def fetchnumpy(self) -> dict[str, Any]:
        """The result as NumPy columns by name, as DuckDB's `fetchnumpy` gives them (numbers
        as float or int arrays, the rest as objects)."""
        import numpy as np

        names = [column.name for column in self._cursor.description or ()]
        rows = self._cursor.fetchall()
        columns: dict[str, Any] = {}
        for index, name in enumerate(names):
            values = [row[index] for row in rows]
            columns[name] = _numpy_column(np, values)
        return columns

    def close(self) -> None:
        self._cursor.close()


def _numpy_column(np: Any, values: list[Any]) -> Any:
    """Numbers as numeric arrays (NULL as NaN, Decimal as float), anything else as objects."""
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, bool) for value in present):
        return np.array(values, dtype=object)
    if present and all(isinstance(value, int) for value in present) and len(present) == len(
            values):
        return np.array(values, dtype=np.int64)
    if present and all(isinstance(value, (int, float)) or type(value).__name__ == "Decimal"
                       for value in present):
        return np.array([np.nan if value is None else float(value) for value in values],
                        dtype=np.float64)
    return np.array(values, dtype=object) if values else np.array([], dtype=object)


class PostgresConnection:
    """One psycopg connection (autocommit, UTC) used like a DuckDB connection."""

    def __init__(self, connection: Any, schemas: Mapping[str, str] | None = None,
                 build_id: int | None = None) -> None:
        self.raw = connection
        self.schemas = dict(schemas or {})
        self.build_id = build_id  # the build this connection writes (PostgresBuild.connect)

    def cursor(self) -> PostgresCursor:
        return PostgresCursor(self.raw.cursor(), self.schemas)

    def execute(self, query: str, parameters: Sequence[Any] = ()) -> PostgresCursor:
        return self.cursor().execute(query, parameters)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> PostgresCursor:
        return self.cursor().executemany(query, rows)

    def close(self) -> None:
        self.raw.close()

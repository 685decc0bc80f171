"""A psycopg connection that runs the project's SQL, as the PostgreSQL engine hands it out.

The project's SQL is written once for both engines (warehouse/sql.py): `?` placeholders,
translated here to psycopg's `%s`, and on a build's connection schema placeholders (`{raw}`)
mapped to the build's schemas (`raw__build`), as SQLAlchemy's `schema_translate_map` does.
Values are always bound.

Autocommit, like DuckDB's connections: the load's code opens its transactions explicitly
(`begin transaction` ... `commit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orchestration.warehouse.sql import render, to_format


def translate(query: str, schemas: Mapping[str, str]) -> str:
    """`query` as psycopg runs it on a connection whose schemas are `schemas`."""
    return to_format(render(query, schemas))


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


def _number(text: str) -> int | float:
    """A NUMERIC as DuckDB hands the same value to Python: a whole number (a sum of counts) as
    an int, a rate (numeric in the public tables, double on DuckDB) as a float."""
    body = text[1:] if text[:1] == "-" else text
    return int(text) if body.isdigit() else float(text)


def _number_loader() -> type:
    from psycopg.adapt import Loader

    class NumberLoader(Loader):
        def load(self, data: Any) -> int | float:
            return _number(bytes(data).decode("ascii"))

    return NumberLoader


class PostgresConnection:
    """One psycopg connection (autocommit, UTC) used like a DuckDB connection: NUMERIC values
    come back as int or float and JSON as text, as DuckDB's do (the project's code never sees a
    Decimal or a parsed document)."""

    def __init__(self, connection: Any, schemas: Mapping[str, str] | None = None) -> None:
        from psycopg.types.string import TextLoader

        connection.adapters.register_loader("numeric", _number_loader())
        # JSON columns (dq_issues.values, .details) as their text, as DuckDB hands them over.
        for name in ("json", "jsonb"):
            connection.adapters.register_loader(name, TextLoader)
        self.raw = connection
        self.schemas = dict(schemas or {})  # schema placeholder -> this connection's schema

    def cursor(self) -> PostgresCursor:
        return PostgresCursor(self.raw.cursor(), self.schemas)

    def execute(self, query: str, parameters: Sequence[Any] = ()) -> PostgresCursor:
        return self.cursor().execute(query, parameters)

    def executemany(self, query: str, rows: Iterable[Sequence[Any]]) -> PostgresCursor:
        return self.cursor().executemany(query, rows)

    def close(self) -> None:
        self.raw.close()

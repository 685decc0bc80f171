"""Compare a table built on DuckDB with the same table built on PostgreSQL, row for row.

The two drivers hand back the same values in different Python types (DuckDB's HUGEINT sum is an
int, PostgreSQL's NUMERIC sum a Decimal; a timestamp with time zone comes back in each session's
zone), and a JSON document is the same document with other spacing and number spelling (DuckDB
writes 1200.0, PostgreSQL 1200). Values are normalised to one form before comparing: numbers
compare as numbers, floats with a relative tolerance of 1e-12 (the engines may round the last
bit differently, e.g. in a median or a sum of floats), JSON columns (`*_json`) as parsed
documents, timestamps as instants. Everything else must be equal exactly. Rows are compared as
multisets: a table's row order is not part of its contract.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from psycopg import sql

FLOAT_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Table:
    """A table's column names and rows, as one engine returned them."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def duckdb_table(db_path: Path, schema: str, name: str) -> Table:
    with duckdb.connect(str(db_path), read_only=True) as con:
        # Identifiers quoted by DuckDB's own rules; nothing else goes into the query.
        cursor = con.execute(f'select * from "{schema}"."{name}"')  # noqa: S608
        columns = tuple(d[0] for d in cursor.description)
        return Table(columns, cursor.fetchall())


def postgres_table(url: str, schema: str, name: str) -> Table:
    with psycopg.connect(url) as con:
        cursor = con.execute(
            sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(name)))
        columns = tuple(d.name for d in cursor.description or ())
        return Table(columns, cursor.fetchall())


def normalise(value: Any, *, is_json: bool = False) -> Any:
    """One comparable form per value (see the module's docstring)."""
    if is_json and isinstance(value, str):
        return normalise(json.loads(value))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return _Float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    return value


class _Float(float):
    """A float that equals another within FLOAT_TOLERANCE (and an int of the same value)."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int | float):
            return math.isclose(self, other, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = float.__hash__


def _sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    """A total order over normalised rows that ignores float noise."""
    def key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (0, "")
        if isinstance(value, bool):
            return (1, value)
        if isinstance(value, int | float):
            return (2, round(float(value), 6))
        if isinstance(value, datetime):
            return (3, value.isoformat())
        return (4, json.dumps(value, sort_keys=True, default=str))

    return tuple(key(value) for value in row)


def normalised_rows(table: Table) -> list[list[Any]]:
    json_columns = [name.endswith("_json") for name in table.columns]
    rows = [[normalise(value, is_json=is_json) for value, is_json in zip(row, json_columns,
                                                                       strict=True)]
            for row in table.rows]
    return sorted(rows, key=_sort_key)


def differences(duckdb_side: Table, postgres_side: Table, limit: int = 5) -> list[str]:
    """What differs between the two tables (empty when they are the same), for a failure."""
    if duckdb_side.columns != postgres_side.columns:
        return [f"columns: {duckdb_side.columns} != {postgres_side.columns}"]
    left, right = normalised_rows(duckdb_side), normalised_rows(postgres_side)
    if len(left) != len(right):
        return [f"{len(left)} rows on DuckDB, {len(right)} on PostgreSQL"]
    found = []
    for a, b in zip(left, right, strict=True):
        if a != b:
            changed = [f"{name}: {x!r} != {y!r}"
                       for name, x, y in zip(duckdb_side.columns, a, b, strict=True) if x != y]
            found.append("; ".join(changed))
            if len(found) >= limit:
                break
    return found

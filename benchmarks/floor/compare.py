"""The floor's facts against a warehouse's: the same contract columns, the same semantics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from benchmarks.floor.sql import FACT_COLUMNS
from orchestration.warehouse.sql import run_query


def warehouse_facts(warehouse: Path) -> dict[str, list[dict[str, object]]]:
    """The contract columns of the three fact tables of a warehouse file, in the floor's order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return facts_of(con, str(warehouse))


def facts_of(connection: Any, label: str) -> dict[str, list[dict[str, object]]]:
    """The same from an engine's connection to a warehouse (DuckDB's, or PostgreSQL's:
    orchestration/warehouse/pgconnection.py).

    The marts may live in any schema (warehouse-contract.md); the table name is unique.
    """
    out: dict[str, list[dict[str, object]]] = {}
    for table, columns in FACT_COLUMNS.items():
        _, found = run_query(connection, "select table_schema from information_schema.tables"
                             " where table_name = ? order by table_schema", [table])
        if not found:
            raise LookupError(f"{label} has no table {table}")
        # identifiers come from FACT_COLUMNS and information_schema, never from input
        schema = found[0][0].replace('"', '""')
        select = ", ".join(f'"{c}"' for c in columns)
        _, rows = run_query(connection, f'select {select} from "{schema}"."{table}" '  # noqa: S608
                            "order by province_code, year, unit_code")
        out[table] = [dict(zip(columns, r, strict=True)) for r in rows]
    return out


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return str(a) == str(b)


def _keyed(rows: list[dict[str, object]]) -> dict[tuple[str, int], dict[str, object]]:
    return {(str(r["province_code"]), int(r["year"])): r for r in rows}


def compare_facts(expected: dict[str, list[dict[str, object]]],
                  actual: dict[str, list[dict[str, object]]], *, limit: int = 20) -> list[str]:
    """Differences between two sets of fact tables, at most `limit` lines (empty: equal)."""
    problems: list[str] = []
    for table, columns in FACT_COLUMNS.items():
        left, right = _keyed(expected.get(table, [])), _keyed(actual.get(table, []))
        for key in sorted(left.keys() ^ right.keys()):
            side = "only in expected" if key in left else "only in actual"
            problems.append(f"{table} {key[0]}/{key[1]}: {side}")
        for key in sorted(left.keys() & right.keys()):
            for column in columns:
                if not _same(left[key][column], right[key][column]):
                    problems.append(f"{table} {key[0]}/{key[1]} {column}: "
                                    f"{left[key][column]!r} != {right[key][column]!r}")
    return problems[:limit] if limit else problems

"""The project's SQL as every engine connection runs it: the one place SQL text is adapted.

The project writes its SQL once, for both engines:
- values as `?` placeholders, always bound, never pasted in. psycopg wants `%s` (and a literal
  `%` doubled): `to_format` does that, for PostgreSQL connections only (pgconnection.py);
- the warehouse's own schemas, where the SQL runs on a load's build, as explicit placeholders:
  `{raw}.received_files`, `{main}.dq_issues`, `{quality}.dq_sql_violations`. A DuckDB build is
  a copy of the file, so `{raw}` is `raw`; a PostgreSQL build writes schemas beside the
  published ones (`raw__build`), and its connections map the placeholders there (as
  SQLAlchemy's `schema_translate_map` does). Only these exact placeholders are replaced: a
  literal, a JSON value or any other brace in the SQL is left as it is.

`run_query` and `query_dicts` run one query on any engine connection (DuckDB's or the
PostgreSQL engine's) and hand back plain rows: the exports, the yearly report and the
template's sub-unit names read the warehouse through them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestration.warehouse.engine import Connection

# The schemas a load writes; `{name}` in the project's SQL names one of them.
SCHEMAS = ("raw", "reference", "staging", "intermediate", "quality", "main")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(SCHEMAS) + r")\}")


def render(query: str, schemas: Mapping[str, str] | None = None) -> str:
    """`query` with each schema placeholder (`{raw}`) replaced by the schema `schemas` maps it
    to, by default its own name."""
    mapped = schemas or {}
    return _PLACEHOLDER.sub(lambda match: mapped.get(match.group(1), match.group(1)), query)


def to_format(query: str) -> str:
    """`?` placeholders as the `format` paramstyle psycopg takes (`%s`, literal `%` doubled).
    The project's SQL has no `?` other than placeholders."""
    return query.replace("%", "%%").replace("?", "%s")


def run_query(connection: Connection, sql: str, params: Sequence[object] = ()
              ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of `sql` on an engine connection (`?` placeholders)."""
    cursor = connection.execute(sql, tuple(params))
    return [d[0] for d in cursor.description or ()], list(cursor.fetchall())


def query_dicts(connection: Connection, sql: str, params: Sequence[object] = ()
                ) -> list[dict[str, Any]]:
    """The rows of `sql` as dicts by column name."""
    names, rows = run_query(connection, sql, params)
    return [dict(zip(names, row, strict=True)) for row in rows]


def table_exists(connection: Connection, schema: str, table: str) -> bool:
    """Whether the table (or view) exists on this connection: `schema` is its published
    name, looked up as this connection names it (`schema_name`)."""
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ?"
        " and table_name = ?", [schema_name(connection, schema), table]).fetchone()
    return bool(found and found[0])


def schema_name(connection: Connection, schema: str) -> str:
    """The name the schema published as `schema` has on this connection (a PostgreSQL build's
    connection writes `raw__build`; everywhere else it is `schema` itself)."""
    mapped: Mapping[str, str] = getattr(connection, "schemas", None) or {}
    return mapped.get(schema, schema)

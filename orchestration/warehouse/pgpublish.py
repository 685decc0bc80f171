"""The schemas of a PostgreSQL warehouse: prepared for a build, published, retired.

Published schemas: `main` (what analysts read: the public tables) and the lower layers `raw`,
`reference`, `staging`, `intermediate`, `quality` (the reader role holds no privilege on them).
A load's build writes `<schema>__build`. Publishing, in one transaction: the public tables'
rows are replaced in `main`'s stable tables (pgmain.py: snapshot-correct for readers of any
isolation level), and each lower layer's published schema is renamed to
`<schema>__retired_<build>` and its build schema to the published name. The build schemas left
(`main__build`) are dropped at once, the retired ones each in its own short transaction. The
reader holds no privilege on a build or retired schema, so its information_schema never lists
them (schema names themselves are public in pg_namespace, for every role).

`tuphap_meta` is never swapped: the tables that outlive builds (`KEPT_TABLES`: the issue
history `dq_issues`; a build works on a copy of each in its `main`, applied in the publishing
transaction, and the published `main` shows each as a view), the log of builds (`builds`), and
the content of every received file.

Every statement here runs on the raw psycopg connection: identifiers go through psycopg.sql,
and are the project's own names.
"""

from __future__ import annotations

import re
from typing import Any

from psycopg import errors, sql

from orchestration.warehouse.errors import LoadLockLostError
from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.pgmain import copy_comments, publish_main, publish_views

SWAPPED_SCHEMAS = ("raw", "reference", "staging", "intermediate", "quality", "main")
DBT_SCHEMAS = SWAPPED_SCHEMAS[1:]  # built by dbt; `raw` by ingest
# Renamed into place at a publish; `main` keeps its tables and has their rows replaced.
LOWER_DBT_SCHEMAS = tuple(schema for schema in DBT_SCHEMAS if schema != "main")
META_SCHEMA = "tuphap_meta"
# Tables of `main` whose rows outlive builds (the issue history): the build creates or changes
# its copy, the publish applies it to tuphap_meta; readers see them through views in `main`.
KEPT_TABLES = ("dq_issues",)
JSON_COLUMNS = {"dq_issues": ("values", "details")}  # documents: json in the public view
BUILD_SUFFIX = "__build"
RETIRED = re.compile(rf"({'|'.join(SWAPPED_SCHEMAS)})__retired_\d+")
PUBLISH_LOCK_TIMEOUT = "10s"  # the swap takes no table lock; this bounds a surprise
DROP_LOCK_TIMEOUT = "2s"  # an analyst still reading an old schema: retried by a later load

META_DDL = (
    f"create schema if not exists {META_SCHEMA}",
    f"""create table if not exists {META_SCHEMA}.builds (
        build_id bigint generated always as identity primary key,
        started_at timestamptz not null default now(),
        inputs varchar, plan varchar, reason varchar, built_at timestamptz,
        published_at timestamptz)""",
    f"""create table if not exists {META_SCHEMA}.received_file_contents (
        sha256 varchar primary key, size_bytes bigint not null, content bytea not null,
        stored_at timestamptz not null default now())""",
)


def build_schema(name: str) -> str:
    return name + BUILD_SUFFIX


def _identifier(*parts: str) -> sql.Identifier:
    return sql.Identifier(*parts)


def _schemas(raw: Any, names: list[str]) -> list[str]:
    return [row[0] for row in raw.execute(
        "select nspname from pg_namespace where nspname = any(%s) order by nspname",
        [names]).fetchall()]


def existing_schemas(con: PostgresConnection) -> set[str]:
    """The build and published schemas that exist now."""
    names = [*SWAPPED_SCHEMAS, *(build_schema(s) for s in SWAPPED_SCHEMAS)]
    return set(_schemas(con.raw, names))


def _tables(raw: Any, schema: str) -> list[str]:
    return [row[0] for row in raw.execute(
        "select table_name from information_schema.tables where table_schema = %s"
        " and table_type = 'BASE TABLE' order by table_name", [schema]).fetchall()]


def ensure_meta(con: PostgresConnection) -> None:
    """The schema that outlives every build, and its tables."""
    for statement in META_DDL:
        con.raw.execute(statement)


def start_build_record(con: PostgresConnection) -> int:
    """A row for this build in `tuphap_meta.builds`; its id names the retired schemas."""
    return int(con.raw.execute(
        f"insert into {META_SCHEMA}.builds default values returning build_id").fetchone()[0])  # noqa: S608


def drop_build_schemas(con: PostgresConnection) -> None:
    """Remove the build schemas a killed or failed load left (the caller holds the load lock,
    so no load is writing them)."""
    for name in _schemas(con.raw, [build_schema(s) for s in SWAPPED_SCHEMAS]):
        con.raw.execute(sql.SQL("drop schema {} cascade").format(_identifier(name)))


def prepare_build_schemas(con: PostgresConnection) -> None:
    """Build schemas as the published warehouse stands: the raw rows copied forward (a load
    adds to them) and a working copy of the issue history; dbt builds the rest."""
    raw = con.raw
    raw.execute(sql.SQL("create schema {}").format(_identifier(build_schema("raw"))))
    for table in _tables(raw, "raw"):
        _copy_table(raw, ("raw", table), (build_schema("raw"), table))
    raw.execute(sql.SQL("create schema {}").format(_identifier(build_schema("main"))))
    for table in set(KEPT_TABLES) & set(_tables(raw, META_SCHEMA)):
        _copy_table(raw, (META_SCHEMA, table), (build_schema("main"), table))


def carry_forward_tables(con: PostgresConnection) -> list[str]:
    """Before a partial dbt build: every table of the published dbt schemas copied into its
    build schema (those the build has already, the issue history's working copy, stay). The
    tables are small (thousands of rows nationally): copying them costs far less than dbt's
    own time per model. Views are not copied: a partial build on PostgreSQL makes them again
    (selection.plan_load). Returns the tables copied, as schema.table."""
    raw = con.raw
    copied = []
    for schema in DBT_SCHEMAS:
        target = build_schema(schema)
        raw.execute(sql.SQL("create schema if not exists {}").format(_identifier(target)))
        present = set(_tables(raw, target))
        for table in _tables(raw, schema):
            if table not in present:
                _copy_table(raw, (schema, table), (target, table))
                copied.append(f"{schema}.{table}")
    return copied


def _copy_table(raw: Any, source: tuple[str, str], target: tuple[str, str]) -> None:
    raw.execute(sql.SQL("create table {} (like {} including all)").format(
        _identifier(*target), _identifier(*source)))
    raw.execute(sql.SQL("insert into {} select * from {}").format(
        _identifier(*target), _identifier(*source)))


def _reader_exists(raw: Any, role: str) -> bool:
    return bool(raw.execute("select count(*) from pg_roles where rolname = %s",
                            [role]).fetchone()[0])


def lock_key_oids(key: int) -> list[int]:
    """pg_locks shows an advisory lock's bigint key as two oids (classid, objid)."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    return [unsigned >> 32, unsigned & 0xFFFFFFFF]


def _check_lock(raw: Any, session: int | None, key: int) -> None:
    held = session is not None and raw.execute(
        "select count(*) from pg_locks where locktype = 'advisory' and granted"
        " and objsubid = 1 and pid = %s and classid::bigint = %s and objid::bigint = %s",
        [session, *lock_key_oids(key)]).fetchone()[0]
    if not held:
        raise LoadLockLostError(
            "the load lost its lock on the warehouse (did the server restart?); not publishing:"
            " run the load again")


def publish_build(con: PostgresConnection, *, build_id: int, reader_role: str,
                  lock_session: int | None, lock_key: int) -> dict[str, Any]:
    """Make the build the published warehouse in one short transaction: the issue history
    applied, the public tables' rows replaced in `main` (pgmain.py), the lower layers' schemas
    renamed into place. The dbt schemas are published when dbt built in this build (plan
    "full", or "partial" over the tables carried forward); else (nothing changed, or no dbt in
    this run) the published ones stay, and their build schemas are dropped."""
    raw = con.raw
    with raw.transaction():
        raw.execute(f"set local lock_timeout = '{PUBLISH_LOCK_TIMEOUT}'")
        _check_lock(raw, lock_session, lock_key)
        dbt_built = raw.execute(
            f"select plan in ('full', 'partial') from {META_SCHEMA}.builds"  # noqa: S608
            " where build_id = %s", [build_id]).fetchone()[0] is True
        kept = _apply_kept_tables(raw)
        built = set(_schemas(raw, [build_schema(s) for s in SWAPPED_SCHEMAS]))
        reader = reader_role if _reader_exists(raw, reader_role) else None
        main: dict[str, list[str]] = {}
        views = {table: (META_SCHEMA, _kept_view_query(raw, table))
                 for table in KEPT_TABLES if table in _tables(raw, META_SCHEMA)}
        if dbt_built and build_schema("main") in built:
            main = publish_main(raw, build_schema("main"), reader, views)
        elif _schemas(raw, ["main"]):  # the models stay; a kept table may have new columns
            publish_views(raw, reader, views)
        swapped = [schema for schema in ("raw", *(LOWER_DBT_SCHEMAS if dbt_built else ()))
                   if build_schema(schema) in built]
        for schema in swapped:
            _swap(raw, schema, build_id=build_id)
        raw.execute(f"update {META_SCHEMA}.builds set published_at = now()"  # noqa: S608
                    " where build_id = %s", [build_id])
    # Nobody reads the build schemas (no grants): gone at once, the raw copy included.
    drop_build_schemas(con)
    published = ["main"] if main else []
    return {"schemas_published": [*swapped[:1], *published, *swapped[1:]], "main": main,
            **kept, "reader_role": reader, "build_id": build_id}


def _kept_view_query(raw: Any, table: str) -> sql.Composable:
    """The public view of a kept table: its columns, the JSON ones typed json (a table created
    before they were json keeps varchar; readers get json all the same)."""
    columns = [row[0] for row in raw.execute(
        "select column_name from information_schema.columns where table_schema = %s"
        " and table_name = %s order by ordinal_position", [META_SCHEMA, table]).fetchall()]
    json_columns = JSON_COLUMNS.get(table, ())
    select = sql.SQL(", ").join(
        sql.SQL("cast({} as json) as {}").format(sql.Identifier(c), sql.Identifier(c))
        if c in json_columns else sql.Identifier(c) for c in columns)
    return sql.SQL("select {} from {}").format(select, _identifier(META_SCHEMA, table))


def _apply_kept_tables(raw: Any) -> dict[str, int]:
    """Each kept table's working copy in the build becomes the table that outlives builds
    (rows replaced, never the table: readers of the old view keep reading, and nothing waits
    on them; created like the copy the first time). Returns the rows of each table applied."""
    applied: dict[str, int] = {}
    built = set(_tables(raw, build_schema("main")))
    held = set(_tables(raw, META_SCHEMA))
    for table in KEPT_TABLES:
        if table not in built:
            continue
        working = _identifier(build_schema("main"), table)
        kept = _identifier(META_SCHEMA, table)
        if table not in held:
            raw.execute(sql.SQL("create table {} (like {} including all)").format(kept, working))
        columns = _add_columns(raw, table)
        raw.execute(sql.SQL("delete from {}").format(kept))
        raw.execute(sql.SQL("insert into {} ({}) select {} from {}").format(
            kept, columns, columns, working))
        copy_comments(raw, table, build_schema("main"), META_SCHEMA)
        raw.execute(sql.SQL("drop table {}").format(working))
        applied[table] = int(raw.execute(sql.SQL("select count(*) from {}").format(kept)
                                         ).fetchone()[0])
    return applied


def _add_columns(raw: Any, table: str) -> sql.Composable:
    """The working copy's columns, each one the kept table lacks added to it first (a column
    a newer version of the project added: dq_issues' explanation)."""
    def columns(schema: str) -> dict[str, str]:
        return dict(raw.execute(
            "select attname, format_type(atttypid, atttypmod) from pg_attribute"
            " where attrelid = %s::regclass and attnum > 0 and not attisdropped"
            " order by attnum", [f'"{schema}"."{table}"']).fetchall())

    working, kept = columns(build_schema("main")), columns(META_SCHEMA)
    for name, kind in working.items():
        if name not in kept:
            raw.execute(sql.SQL("alter table {} add column {} {}").format(
                _identifier(META_SCHEMA, table), sql.Identifier(name), sql.SQL(kind)))
    return sql.SQL(", ").join(sql.Identifier(name) for name in working)


def _swap(raw: Any, schema: str, *, build_id: int) -> None:
    """A lower layer's build schema renamed into place; the old one retired. The reader holds
    no privilege in either (so neither is listed in its information_schema)."""
    if _schemas(raw, [schema]):
        raw.execute(sql.SQL("alter schema {} rename to {}").format(
            _identifier(schema), _identifier(f"{schema}__retired_{build_id}")))
    raw.execute(sql.SQL("alter schema {} rename to {}").format(
        _identifier(build_schema(schema)), _identifier(schema)))


def drop_retired_schemas(con: PostgresConnection, reader: str | None = None
                         ) -> dict[str, list[str]]:
    """Drop the schemas earlier publishes retired, each in its own transaction with a short
    lock_timeout: one still in use (a command of the data team reading it) is kept, and dropped
    by the next publish. Retired copies of `main` from before `main` kept its tables lose every
    grant of the reader first, so its catalog no longer lists them even while one is held."""
    raw = con.raw
    names = [row[0] for row in raw.execute(
        "select nspname from pg_namespace where nspname like %s order by nspname",
        ["%\\_\\_retired\\_%"]).fetchall() if RETIRED.fullmatch(row[0])]
    dropped, kept = [], []
    for name in names:
        if reader and _reader_exists(raw, reader):
            for revoke in ("revoke all on all tables in schema {} from {}",
                           "revoke all on schema {} from {}"):
                raw.execute(sql.SQL(revoke).format(_identifier(name), _identifier(reader)))
        try:
            with raw.transaction():
                raw.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                raw.execute(sql.SQL("drop schema {} cascade").format(_identifier(name)))
            dropped.append(name)
        except errors.LockNotAvailable:
            kept.append(name)
    return {"dropped": dropped, "kept": kept}

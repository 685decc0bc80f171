"""The schemas of a PostgreSQL warehouse: prepared for a build, renamed into place, retired.

Published schemas (what analysts read): `raw`, `reference`, `staging`, `intermediate`,
`quality`, `main`. A load's build writes `<schema>__build`; publishing renames each published
schema to `<schema>__retired_<build>` and each build schema to its published name, in one
transaction. Retired schemas are dropped afterwards, each in its own short transaction.

`tuphap_meta` is never swapped: the issue history `dq_issues` (what a build changed in its
working copy is applied there in the publishing transaction; `main.dq_issues` is a view of it),
the log of builds (`builds`), and the content of every received file.

Every statement here runs on the raw psycopg connection: identifiers go through psycopg.sql,
and are the project's own names.
"""

from __future__ import annotations

import re
from typing import Any

from psycopg import errors, sql

from orchestration.quality.issues import ISSUES_DDL
from orchestration.warehouse.pgconnection import map_schemas

SWAPPED_SCHEMAS = ("raw", "reference", "staging", "intermediate", "quality", "main")
DBT_SCHEMAS = SWAPPED_SCHEMAS[1:]  # built by dbt; `raw` by ingest
READER_SCHEMAS = ("main",)  # the public tables (warehouse-contract.md), dq_issues a view
META_SCHEMA = "tuphap_meta"
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
    map_schemas(ISSUES_DDL, {"main": META_SCHEMA}),
)


def build_schema(name: str) -> str:
    return name + BUILD_SUFFIX


def _identifier(*parts: str) -> sql.Identifier:
    return sql.Identifier(*parts)


def _schemas(raw: Any, names: list[str]) -> list[str]:
    return [row[0] for row in raw.execute(
        "select nspname from pg_namespace where nspname = any(%s) order by nspname",
        [names]).fetchall()]


def existing_schemas(con: Any) -> set[str]:
    """The build and published schemas that exist now."""
    names = [*SWAPPED_SCHEMAS, *(build_schema(s) for s in SWAPPED_SCHEMAS)]
    return set(_schemas(con.raw, names))


def _tables(raw: Any, schema: str) -> list[str]:
    return [row[0] for row in raw.execute(
        "select table_name from information_schema.tables where table_schema = %s"
        " and table_type = 'BASE TABLE' order by table_name", [schema]).fetchall()]


def ensure_meta(con: Any) -> None:
    """The schema that outlives every build, and its tables."""
    for statement in META_DDL:
        con.raw.execute(statement)


def start_build_record(con: Any) -> int:
    """A row for this build in `tuphap_meta.builds`; its id names the retired schemas."""
    return int(con.raw.execute(
        f"insert into {META_SCHEMA}.builds default values returning build_id").fetchone()[0])  # noqa: S608


def drop_build_schemas(con: Any) -> None:
    """Remove the build schemas a killed or failed load left (the caller holds the load lock,
    so no load is writing them)."""
    for name in _schemas(con.raw, [build_schema(s) for s in SWAPPED_SCHEMAS]):
        con.raw.execute(sql.SQL("drop schema {} cascade").format(_identifier(name)))


def prepare_build_schemas(con: Any) -> None:
    """Build schemas as the published warehouse stands: the raw rows copied forward (a load
    adds to them) and a working copy of the issue history; dbt builds the rest."""
    raw = con.raw
    raw.execute(sql.SQL("create schema {}").format(_identifier(build_schema("raw"))))
    for table in _tables(raw, "raw"):
        _copy_table(raw, ("raw", table), (build_schema("raw"), table))
    raw.execute(sql.SQL("create schema {}").format(_identifier(build_schema("main"))))
    _copy_table(raw, (META_SCHEMA, "dq_issues"), (build_schema("main"), "dq_issues"))


def _copy_table(raw: Any, source: tuple[str, str], target: tuple[str, str]) -> None:
    raw.execute(sql.SQL("create table {} (like {} including all)").format(
        _identifier(*target), _identifier(*source)))
    raw.execute(sql.SQL("insert into {} select * from {}").format(
        _identifier(*target), _identifier(*source)))


def _reader_exists(raw: Any, role: str) -> bool:
    return bool(raw.execute("select count(*) from pg_roles where rolname = %s",
                            [role]).fetchone()[0])


class LoadLockLostError(RuntimeError):
    """The load's lock session ended (a server restart) before the publish: another load may
    have started since, so this one must not publish."""


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


def publish_build(con: Any, *, build_id: int, reader_role: str, lock_session: int | None,
                  lock_key: int) -> dict[str, Any]:
    """Make the build the published warehouse in one short transaction: the issue history
    applied, the reader's grants set on the build schemas, every schema renamed. The dbt
    schemas are swapped only when dbt built the whole project in this build (plan "full");
    else (nothing changed, or no dbt in this run) the published ones stay, and their build
    schemas are dropped."""
    raw = con.raw
    with raw.transaction():
        raw.execute(f"set local lock_timeout = '{PUBLISH_LOCK_TIMEOUT}'")
        _check_lock(raw, lock_session, lock_key)
        dbt_built = raw.execute(f"select plan = 'full' from {META_SCHEMA}.builds"  # noqa: S608
                                " where build_id = %s", [build_id]).fetchone()[0] is True
        issues = _apply_issue_history(raw)
        built = set(_schemas(raw, [build_schema(s) for s in SWAPPED_SCHEMAS]))
        swapped = [schema for schema in ("raw", *(DBT_SCHEMAS if dbt_built else ()))
                   if build_schema(schema) in built]
        if dbt_built:
            raw.execute(sql.SQL("create view {} as select * from {}").format(
                _identifier(build_schema("main"), "dq_issues"),
                _identifier(META_SCHEMA, "dq_issues")))
        else:
            for schema in DBT_SCHEMAS:
                raw.execute(sql.SQL("drop schema if exists {} cascade").format(
                    _identifier(build_schema(schema))))
        reader = reader_role if _reader_exists(raw, reader_role) else None
        if reader:
            for schema in READER_SCHEMAS:
                if schema in swapped:
                    _grant_reader(raw, build_schema(schema), reader)
        for schema in swapped:
            _swap(raw, schema, build_id=build_id, reader=reader)
        raw.execute(f"update {META_SCHEMA}.builds set published_at = now()"  # noqa: S608
                    " where build_id = %s", [build_id])
    return {"schemas_published": swapped, "issues": issues, "reader_role": reader,
            "build_id": build_id}


def _apply_issue_history(raw: Any) -> int:
    """The build's working copy of dq_issues becomes the history (rows replaced, never the
    table: readers of the old view keep reading, and nothing waits on them)."""
    working = _identifier(build_schema("main"), "dq_issues")
    history = _identifier(META_SCHEMA, "dq_issues")
    raw.execute(sql.SQL("delete from {}").format(history))
    raw.execute(sql.SQL("insert into {} select * from {}").format(history, working))
    raw.execute(sql.SQL("drop table {}").format(working))
    return int(raw.execute(sql.SQL("select count(*) from {}").format(history)).fetchone()[0])


def _grant_reader(raw: Any, schema: str, reader: str) -> None:
    raw.execute(sql.SQL("grant usage on schema {} to {}").format(
        _identifier(schema), _identifier(reader)))
    raw.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
        _identifier(schema), _identifier(reader)))


def _swap(raw: Any, schema: str, *, build_id: int, reader: str | None) -> None:
    published = _schemas(raw, [schema])
    if published:
        retired = f"{schema}__retired_{build_id}"
        raw.execute(sql.SQL("alter schema {} rename to {}").format(
            _identifier(schema), _identifier(retired)))
        if reader:
            raw.execute(sql.SQL("revoke all on schema {} from {}").format(
                _identifier(retired), _identifier(reader)))
    raw.execute(sql.SQL("alter schema {} rename to {}").format(
        _identifier(build_schema(schema)), _identifier(schema)))


def drop_retired_schemas(con: Any) -> dict[str, list[str]]:
    """Drop the schemas earlier publishes retired, each in its own transaction with a short
    lock_timeout: one an analyst still reads is kept, and dropped by a later load."""
    raw = con.raw
    names = [row[0] for row in raw.execute(
        "select nspname from pg_namespace where nspname like %s order by nspname",
        ["%\\_\\_retired\\_%"]).fetchall() if RETIRED.fullmatch(row[0])]
    dropped, kept = [], []
    for name in names:
        try:
            with raw.transaction():
                raw.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                raw.execute(sql.SQL("drop schema {} cascade").format(_identifier(name)))
            dropped.append(name)
        except errors.LockNotAvailable:
            kept.append(name)
    return {"dropped": dropped, "kept": kept}

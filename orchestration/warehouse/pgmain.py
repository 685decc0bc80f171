"""Publishing the public schema `main` of a PostgreSQL warehouse: rows replaced in stable tables.

Analysts and BI tools read `main` (the public tables of warehouse-contract.md). Renaming a new
`main` into place (as the lower layers are, pgpublish.py) leaves two faults a reader can see: a
REPEATABLE READ transaction begun before the publish resolves the old names to the new tables
and reads them as empty, and the old copy stays listed in the reader's catalog while anyone
holds it. So `main` and its tables are stable objects: a publish replaces each table's rows
(`delete` + `insert ... select` from the build's `main__build`) inside the publishing
transaction. That is MVCC-safe: a reader of any isolation level keeps the snapshot it began
with (the old rows), a READ COMMITTED statement after the commit sees the new rows, and neither
waits for the other (DELETE and INSERT take ROW EXCLUSIVE locks, which readers' ACCESS SHARE
locks do not conflict with). The tables keep their grants, comments and keys; nothing is
retired, so nothing piles up. The marts are small (thousands of rows nationally).

A table whose columns changed (a new release of the project) cannot be altered without an
ACCESS EXCLUSIVE lock: it is dropped and created anew like the build's table, under the
publish's lock_timeout, so such a publish waits for (or fails on) analysts holding that table.

The foreign keys of the facts to the dimensions (`unit_key`, `province_key`) are declared here,
on PostgreSQL only: dbt's constraints are the same on every target, and on DuckDB a foreign key
forbids rebuilding the dimension a selective build changes.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

PUBLIC_SCHEMA = "main"
# A fact column -> the dimension whose key it holds (warehouse-contract.md, version 3).
FOREIGN_KEYS = {"unit_key": "dim_unit", "province_key": "dim_province"}
FACT_PREFIX = "fct_"  # the tables that carry them
KEYED_REPORTS = ("rpt_submissions",)  # and a report table with a row per unit


def _relations(raw: Any, schema: str) -> dict[str, str]:
    """Tables ('r') and views ('v') of `schema`, by name."""
    return dict(raw.execute(
        "select c.relname, c.relkind::text from pg_class c join pg_namespace n"
        " on n.oid = c.relnamespace where n.nspname = %s and c.relkind in ('r', 'v', 'p')",
        [schema]).fetchall())


def _columns(raw: Any, schema: str, table: str) -> list[tuple[str, str, bool]]:
    """Each column's name, type and NOT NULL, in order: two tables with equal lists take each
    other's rows as they are."""
    return [tuple(row) for row in raw.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull"
        " from pg_attribute a where a.attrelid = to_regclass(%s) and a.attnum > 0"
        " and not a.attisdropped order by a.attnum",
        [_qualified(schema, table)]).fetchall()]


def _qualified(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


def _comments(raw: Any, schema: str, table: str) -> dict[str, str | None]:
    """The table's description ('' key) and each column's, as COMMENT ON wrote them."""
    rows = raw.execute(
        "select '', obj_description(to_regclass(%s), 'pg_class') union all"
        " select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a"
        " where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped",
        [_qualified(schema, table)] * 2).fetchall()
    return dict(rows)


def copy_comments(raw: Any, table: str, source: str, target: str = PUBLIC_SCHEMA) -> None:
    """The descriptions of `source`.`table` onto `target`.`table`, where they differ (COMMENT
    takes no lock a reader waits for)."""
    wanted = _comments(raw, source, table)
    held = _comments(raw, target, table)
    kind = "view" if _relations(raw, target).get(table) == "v" else "table"
    for column, text in wanted.items():
        if held.get(column) == text or column not in held:
            continue
        if column == "":
            raw.execute(sql.SQL("comment on {} {} is {}").format(
                sql.SQL(kind), sql.Identifier(target, table), sql.Literal(text)))
        else:
            raw.execute(sql.SQL("comment on column {} is {}").format(
                sql.Identifier(target, table, column), sql.Literal(text)))


def _referencing_first(raw: Any, tables: list[str]) -> list[str]:
    """`tables` with each table that references another (by a foreign key) before it."""
    edges = raw.execute(
        "select c.relname, p.relname from pg_constraint k join pg_class c on c.oid = k.conrelid"
        " join pg_class p on p.oid = k.confrelid join pg_namespace n on n.oid = c.relnamespace"
        " where k.contype = 'f' and n.nspname = %s and c.oid <> p.oid",
        [PUBLIC_SCHEMA]).fetchall()
    referenced = {parent for _, parent in edges}
    return sorted(tables, key=lambda name: (name in referenced, name))


def publish_main(raw: Any, build: str, reader: str | None,
                 views: dict[str, tuple[str, sql.Composable]]) -> dict[str, list[str]]:
    """Make `main` hold the build's tables (inside the caller's transaction): rows replaced in
    the tables that keep their columns, tables created for the new or changed ones, tables the
    build no longer has dropped; `views` (name -> the schema of the table it shows, its query)
    kept as views, described as that table is. Returns the tables replaced, created and
    dropped."""
    main = sql.Identifier(PUBLIC_SCHEMA)
    raw.execute(sql.SQL("create schema if not exists {}").format(main))
    if reader:
        raw.execute(sql.SQL("grant usage on schema {} to {}").format(main, sql.Identifier(reader)))
    built = {name for name, kind in _relations(raw, build).items() if kind != "v"} - set(views)
    held = _relations(raw, PUBLIC_SCHEMA)
    same = sorted(name for name in built if held.get(name) in ("r", "p")
                  and _columns(raw, build, name) == _columns(raw, PUBLIC_SCHEMA, name))
    created = sorted(built - set(same))
    dropped = sorted(name for name, kind in held.items()
                     if name not in built and name not in views and kind != "v")
    for name in sorted({*created, *dropped} & set(held)):
        raw.execute(sql.SQL("drop table {} cascade").format(sql.Identifier(PUBLIC_SCHEMA, name)))
    for name in _referencing_first(raw, same):
        raw.execute(sql.SQL("delete from {}").format(sql.Identifier(PUBLIC_SCHEMA, name)))
    for name in created:
        raw.execute(sql.SQL("create table {} (like {} including all)").format(
            sql.Identifier(PUBLIC_SCHEMA, name), sql.Identifier(build, name)))
    # Dimensions first: the facts' foreign keys point at their rows.
    for name in sorted(built, key=lambda n: (n not in FOREIGN_KEYS.values(), n)):
        columns = sql.SQL(", ").join(sql.Identifier(c) for c, _, _ in _columns(raw, build, name))
        raw.execute(sql.SQL("insert into {} ({}) select {} from {}").format(
            sql.Identifier(PUBLIC_SCHEMA, name), columns, columns, sql.Identifier(build, name)))
        copy_comments(raw, name, build)
    _ensure_foreign_keys(raw, sorted(built))
    _clean_index_names(raw)
    publish_views(raw, reader, views)
    if reader:
        for name in sorted(built):
            raw.execute(sql.SQL("grant select on {} to {}").format(
                sql.Identifier(PUBLIC_SCHEMA, name), sql.Identifier(reader)))
    return {"replaced": same, "created": created, "dropped": dropped}


def publish_views(raw: Any, reader: str | None,
                  views: dict[str, tuple[str, sql.Composable]]) -> None:
    """`views` in `main` (name -> the schema of the table it shows, its query), described as
    that table is and readable by `reader`: also by a publish that keeps the models, since a
    kept table may have gained a column (pgpublish._apply_kept_tables)."""
    for name, (source, query) in views.items():
        _ensure_view(raw, name, query)
        copy_comments(raw, name, source)
        if reader:
            raw.execute(sql.SQL("grant select on {} to {}").format(
                sql.Identifier(PUBLIC_SCHEMA, name), sql.Identifier(reader)))


def _ensure_foreign_keys(raw: Any, tables: list[str]) -> None:
    """Each fact's key columns reference their dimension (named `<table>_<column>_fkey`, as
    PostgreSQL names them): declared once, when the table is created (ADD FOREIGN KEY takes
    SHARE ROW EXCLUSIVE locks, which readers' ACCESS SHARE locks do not conflict with)."""
    present = {row[0] for row in raw.execute(
        "select k.conname from pg_constraint k join pg_namespace n on n.oid = k.connamespace"
        " where n.nspname = %s and k.contype = 'f'", [PUBLIC_SCHEMA]).fetchall()}
    for table in (name for name in tables
                  if name.startswith(FACT_PREFIX) or name in KEYED_REPORTS):
        names = {column for column, _, _ in _columns(raw, PUBLIC_SCHEMA, table)}
        for column, dimension in FOREIGN_KEYS.items():
            constraint = f"{table}_{column}_fkey"
            if (column not in names or table == dimension or dimension not in tables
                    or constraint in present):
                continue
            raw.execute(sql.SQL("alter table {} add constraint {} foreign key ({})"
                                " references {} ({})").format(
                sql.Identifier(PUBLIC_SCHEMA, table), sql.Identifier(constraint),
                sql.Identifier(column), sql.Identifier(PUBLIC_SCHEMA, dimension),
                sql.Identifier(column)))


def _clean_index_names(raw: Any) -> None:
    """Key indexes named after dbt's temporary table (`dim_unit__dbt_tmp_pkey`, on tables a
    publish before this module kept) renamed as PostgreSQL names them (`dim_unit_pkey`; the
    constraint follows its index). ALTER INDEX RENAME takes a SHARE UPDATE EXCLUSIVE lock,
    which readers do not wait for."""
    for (name,) in raw.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind = 'i' and c.relname like %s",
            [PUBLIC_SCHEMA, "%\\_\\_dbt\\_tmp%"]).fetchall():
        raw.execute(sql.SQL("alter index {} rename to {}").format(
            sql.Identifier(PUBLIC_SCHEMA, name), sql.Identifier(name.replace("__dbt_tmp", ""))))


def _ensure_view(raw: Any, name: str, query: sql.Composable) -> None:
    """The view, created once; replaced only when its query's columns changed (that takes a
    lock readers of the view hold)."""
    target = sql.Identifier(PUBLIC_SCHEMA, name)
    held = _relations(raw, PUBLIC_SCHEMA).get(name)
    if held == "v":
        current = raw.execute("select pg_get_viewdef(to_regclass(%s))",
                              [_qualified(PUBLIC_SCHEMA, name)]).fetchone()[0]
        probe = f"tuphap_probe_{name}"
        raw.execute(sql.SQL("create temporary view {} as {}").format(
            sql.Identifier(probe), query))
        wanted = raw.execute("select pg_get_viewdef(to_regclass(%s))", [probe]).fetchone()[0]
        raw.execute(sql.SQL("drop view {}").format(sql.Identifier(probe)))
        if current == wanted:
            return
        raw.execute(sql.SQL("drop view {}").format(target))
    elif held is not None:
        raw.execute(sql.SQL("drop table {} cascade").format(target))
    raw.execute(sql.SQL("create view {} as {}").format(target, query))

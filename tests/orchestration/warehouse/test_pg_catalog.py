"""What the reader role sees of a PostgreSQL warehouse across publishes (issue 24): its
information_schema lists each public table once, before, during and after a load, whatever
readers hold open; a REPEATABLE READ transaction keeps the warehouse it began with; the tables
keep their grants, descriptions and clean key names; the facts reference the dimensions."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from orchestration.ingest.raw_schema import ensure_raw_schema
from orchestration.quality.issues import ensure_issues_table
from orchestration.warehouse.postgres import PostgresBuild, PostgresWarehouse
from tests.postgres.warehouse import ServerWarehouse, server_warehouse  # noqa: F401
from tests.postgres_server import postgres_server  # noqa: F401

PUBLIC = {"dim_unit", "fct_dissemination", "rpt_cluster_year", "dq_issues"}
SYSTEM = ("pg_catalog", "information_schema")


def _write_marts(build: PostgresBuild, total: int, *, extra_column: bool = False) -> None:
    """A build's `main` as dbt leaves it: a dimension, a fact carrying its key, a report (a
    primary key named after dbt's temporary table, descriptions on each), and the issues."""
    with build.connect() as con:
        ensure_raw_schema(con)
        ensure_issues_table(con)
        extra = ", note varchar" if extra_column else ""
        for statement in (
            "create table {main}.dim_unit__dbt_tmp (unit_key varchar primary key,"
            " unit_code varchar not null)",
            "alter table {main}.dim_unit__dbt_tmp rename to dim_unit",
            "insert into {main}.dim_unit values ('STP-01:', 'STP-01'), ('STP-02:', 'STP-02')",
            "create table {main}.fct_dissemination__dbt_tmp (year integer not null,"
            f" unit_key varchar not null, sessions bigint{extra}, primary key (year, unit_key))",
            "alter table {main}.fct_dissemination__dbt_tmp rename to fct_dissemination",
            "insert into {main}.fct_dissemination (year, unit_key, sessions)"
            " values (2022, 'STP-01:', ?), (2022, 'STP-02:', 1)",
            "create table {main}.rpt_cluster_year (year integer primary key, sessions bigint)",
            "insert into {main}.rpt_cluster_year values (2022, ? + 1)",
            "comment on table {main}.fct_dissemination is 'Legal dissemination per year'",
            "comment on column {main}.fct_dissemination.sessions is 'Sessions held'",
        ):
            con.execute(statement, [total] if "?" in statement else [])
    build.record_build_state(inputs="{}", plan="full", reason="test")


def _publish(engine: PostgresWarehouse, total: int, **options: bool) -> dict:
    with engine.load_lock():
        build = engine.start_build()
        try:
            _write_marts(build, total, **options)
            return dict(build.publish())
        finally:
            build.discard()


def _catalog(con: psycopg.Connection) -> list[tuple[str, str]]:
    """The tables the reader's information_schema lists, repeats kept."""
    return sorted(con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema <> all(%s)", [list(SYSTEM)]).fetchall())


def _columns_listed(con: psycopg.Connection) -> set[str]:
    return {row[0] for row in con.execute(
        "select distinct table_schema from information_schema.columns"
        " where table_schema <> all(%s)", [list(SYSTEM)]).fetchall()}


def _keys(con: psycopg.Connection) -> set[tuple[str, str, str, str | None]]:
    """The primary and foreign keys of `main`: table, name, kind, referenced table."""
    return set(con.execute(
        "select t.relname::text, c.conname::text, c.contype::text, r.relname::text"
        " from pg_constraint c join pg_class t on t.oid = c.conrelid"
        " left join pg_class r on r.oid = c.confrelid join pg_namespace n"
        " on n.oid = c.connamespace where n.nspname = 'main' and c.contype in ('p', 'f')"
    ).fetchall())


@pytest.fixture
def reader(server_warehouse: ServerWarehouse) -> Iterator[psycopg.Connection]:  # noqa: F811
    with server_warehouse.connect_as_reader() as con:
        con.autocommit = True
        yield con


def test_the_catalog_lists_each_public_table_once_before_during_and_after_a_load(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
    reader: psycopg.Connection,
) -> None:
    _publish(engine, 100)
    expected = sorted(("main", name) for name in PUBLIC)
    assert _catalog(reader) == expected
    assert _columns_listed(reader) == {"main"}
    # During a load: the build schemas exist, with tables, and are not listed to the reader
    # (neither are the lower layers, published or being built).
    with engine.load_lock():
        build = engine.start_build()
        _write_marts(build, 200)
        with server_warehouse.connect_as_loader() as loader:
            building = {row[0] for row in loader.execute(
                "select nspname from pg_namespace where nspname like '%\\_\\_build'")}
        assert {"raw__build", "main__build"} <= building
        assert _catalog(reader) == expected
        assert _columns_listed(reader) == {"main"}
        assert {row[0] for row in reader.execute(
            "select schema_name from information_schema.schemata where schema_name <> all(%s)",
            [list(SYSTEM)])} == {"main", "public"}
        build.publish()
    assert _catalog(reader) == expected
    assert reader.execute("select sessions from main.fct_dissemination where unit_key ="
                          " 'STP-01:'").fetchone() == (200,)


def test_a_reader_idle_in_transaction_across_two_loads_sees_one_copy_and_leaves_nothing(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
    reader: psycopg.Connection,
) -> None:
    """psycopg2's default in a notebook: a transaction left open after a query."""
    _publish(engine, 100)
    with server_warehouse.connect_as_reader() as idle:
        assert idle.execute("select sessions from main.rpt_cluster_year").fetchone() == (101,)
        idle.execute("select count(*) from main.fct_dissemination").fetchone()
        for total in (200, 300):
            published = _publish(engine, total)
            assert published["dropped_old_schemas"]["kept"] == []
            assert _catalog(reader) == sorted(("main", name) for name in PUBLIC)
        assert idle.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        # READ COMMITTED: its next statement reads the newest warehouse.
        assert idle.execute("select sessions from main.rpt_cluster_year").fetchone() == (301,)
        idle.rollback()
    assert _catalog(reader) == sorted(("main", name) for name in PUBLIC)
    with server_warehouse.connect_as_loader() as loader:
        assert loader.execute(
            "select nspname from pg_namespace where nspname like '%\\_\\_retired\\_%'"
            " or nspname like '%\\_\\_build' or nspname like 'main%'").fetchall() == [("main",)]


def test_a_repeatable_read_transaction_keeps_the_warehouse_it_began_with(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
) -> None:
    _publish(engine, 100)
    with server_warehouse.connect_as_reader() as analyst:
        analyst.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        # The snapshot is taken by the first statement; the other tables are first read after
        # the publish.
        assert analyst.execute("select count(*) from main.dim_unit").fetchone() == (2,)
        _publish(engine, 200)
        assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (101,)
        assert analyst.execute("select sum(sessions) from main.fct_dissemination"
                               ).fetchone() == (101,)
        analyst.commit()
        assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (201,)


def test_the_tables_keep_their_grants_descriptions_and_clean_key_names(
    engine: PostgresWarehouse, reader: psycopg.Connection,
) -> None:
    _publish(engine, 100)
    _publish(engine, 200)
    assert reader.execute("select obj_description('main.fct_dissemination'::regclass),"
                          " col_description('main.fct_dissemination'::regclass, 3)").fetchone() \
        == ("Legal dissemination per year", "Sessions held")
    # As JDBC's and psqlODBC's key metadata read them (pg_catalog: information_schema shows
    # constraints only to roles with more than SELECT).
    assert _keys(reader) == {
        ("dim_unit", "dim_unit_pkey", "p", None), ("fct_dissemination", "fct_dissemination_pkey",
                                                   "p", None),
        ("rpt_cluster_year", "rpt_cluster_year_pkey", "p", None),
        ("fct_dissemination", "fct_dissemination_unit_key_fkey", "f", "dim_unit")}
    assert {row[0] for row in reader.execute(
        "select c.relname::text from pg_index i join pg_class c on c.oid = i.indexrelid"
        " where i.indrelid = 'main.fct_dissemination'::regclass")} == {
        "fct_dissemination_pkey"}


def test_a_table_whose_columns_changed_is_created_anew_with_its_key_and_grants(
    engine: PostgresWarehouse, reader: psycopg.Connection,
) -> None:
    _publish(engine, 100)
    published = _publish(engine, 200, extra_column=True)
    assert published["main"]["created"] == ["fct_dissemination"]
    assert reader.execute("select sum(sessions), count(note) from main.fct_dissemination"
                          ).fetchone() == (201, 0)
    assert ("fct_dissemination", "fct_dissemination_unit_key_fkey", "f", "dim_unit") in _keys(
        reader)
    assert _catalog(reader) == sorted(("main", name) for name in PUBLIC)


def test_a_retired_main_left_by_an_older_release_disappears_from_the_catalog(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
    reader: psycopg.Connection,
) -> None:
    """Before `main` kept its tables, a publish retired it with the reader's table grants."""
    _publish(engine, 100)
    with server_warehouse.connect_as_loader() as loader:
        loader.execute("create schema main__retired_1")
        loader.execute("create table main__retired_1.fct_dissemination (year integer)")
        loader.execute(sql.SQL("grant usage on schema main__retired_1 to {}").format(
            sql.Identifier(server_warehouse.reader)))
        loader.execute(sql.SQL("grant select on main__retired_1.fct_dissemination to {}").format(
            sql.Identifier(server_warehouse.reader)))
    assert ("main__retired_1", "fct_dissemination") in _catalog(reader)
    with server_warehouse.connect_as_reader() as holder:  # holds it: the drop must wait
        holder.execute("select count(*) from main__retired_1.fct_dissemination")
        published = _publish(engine, 200)
        assert published["dropped_old_schemas"]["kept"] == ["main__retired_1"]
        assert _catalog(reader) == sorted(("main", name) for name in PUBLIC)
    _publish(engine, 300)  # gone, now that nobody holds it
    assert reader.execute("select count(*) from pg_namespace where nspname = 'main__retired_1'"
                          ).fetchone() == (0,)


def test_a_key_named_after_dbts_temporary_table_is_renamed_as_postgresql_names_it(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
    reader: psycopg.Connection,
) -> None:
    """A table published before this release keeps its object and its key's name."""
    _publish(engine, 100)
    with server_warehouse.connect_as_loader() as loader:
        loader.execute("alter index main.dim_unit_pkey rename to dim_unit__dbt_tmp_pkey")
    _publish(engine, 200)
    assert ("dim_unit", "dim_unit_pkey", "p", None) in _keys(reader)

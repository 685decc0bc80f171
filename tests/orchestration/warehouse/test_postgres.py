"""The PostgreSQL engine on a real server: connections and their faults, the load lock across
processes, and publishing build schemas while an analyst reads (orchestration/warehouse/)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from orchestration.ingest.raw_schema import ensure_raw_schema
from orchestration.ingest.rows import new_batch
from orchestration.quality.issues import ensure_issues_table
from orchestration.warehouse.engine import LoadInProgressError, engine_for
from orchestration.warehouse.errors import LoadLockLostError, WarehouseUnreachableError
from orchestration.warehouse.pgconnection import translate
from orchestration.warehouse.postgres import PostgresWarehouse
from tests.orchestration.warehouse.test_engine import raw_batch
from tests.postgres.warehouse import ServerWarehouse, server_warehouse  # noqa: F401
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401


def test_schema_placeholders_are_mapped_to_the_build_and_nothing_else() -> None:
    schemas = {"raw": "raw__build", "main": "main__build"}
    sql = ("select r.sha256, '{raw}.x', 'raw.x', '{\"a\": 1}' from {raw}.received_files r"
           " join {main}.\"dq_issues\" i on tuphap_meta.builds.x = {quality}.t.y"
           " where main_raw.a = ? and b like '5%'")
    # Only the placeholders, wherever they are; literal names, JSON and % are the SQL's own.
    assert translate(sql, schemas) == (
        "select r.sha256, 'raw__build.x', 'raw.x', '{\"a\": 1}' from raw__build.received_files r"
        " join main__build.\"dq_issues\" i on tuphap_meta.builds.x = quality.t.y"
        " where main_raw.a = %s and b like '5%%'")


def test_a_wrong_password_fails_naming_the_host_never_the_password(
    server_warehouse: ServerWarehouse,  # noqa: F811
) -> None:
    wrong = server_warehouse.url_with_password.replace(
        server_warehouse.loader_password, "Wrong-Pa55word")
    with pytest.raises(WarehouseUnreachableError) as raised:
        engine_for(wrong).exists()
    message = str(raised.value)
    assert f"127.0.0.1:{server_warehouse.server.port}/{server_warehouse.database}" in message
    assert "password authentication failed" in message
    assert "Wrong-Pa55word" not in message


def test_an_unreachable_server_fails_naming_the_host() -> None:
    with pytest.raises(WarehouseUnreachableError, match=r"at 127\.0\.0\.1:1/tuphap as loader"):
        engine_for("postgresql://loader@127.0.0.1:1/tuphap").exists()


def test_one_load_at_a_time_across_processes_and_a_killed_holder_frees_the_lock(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from orchestration.warehouse.engine import engine_for
            with engine_for({server_warehouse.url!r}).load_lock():
                print("held", flush=True)
                time.sleep(600)
        """)], stdout=subprocess.PIPE, text=True,
        env={**_environment(server_warehouse)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LoadInProgressError, match=rf"tuphap-load pid {holder.pid} on "):
            with engine.load_lock(timeout_seconds=0.5):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The server ends the killed holder's session, and with it the lock (the wait is only a
    # ceiling: the server notices the closed connection in a moment, longer on a busy machine).
    with engine.load_lock(timeout_seconds=300):
        pass


def test_a_lock_released_is_free_at_once_for_the_next_load(engine: PostgresWarehouse) -> None:
    """A load ending frees the lock before it returns, not when the server gets round to ending
    its session: the next load of the same process (a test, `tuphap load` twice in a script)
    must not be refused by it (seen once in two suites at once)."""
    for _ in range(30):
        with engine.load_lock():
            assert engine.lock_session is not None
        with engine.load_lock():  # no wait allowed
            pass


def _environment(warehouse: ServerWarehouse) -> dict[str, str]:
    import os

    return {**os.environ, **warehouse.environment()}


def _publish_fact(engine: PostgresWarehouse, total: int, *, dbt_built: bool = True) -> dict:
    """A build whose `main` holds one public table and the issue history, published like a
    load's."""
    with engine.load_lock():
        build = engine.start_build()
        try:
            with build.connect() as con:
                ensure_raw_schema(con)
                ensure_issues_table(con)  # the quality step's
                con.execute("create table {main}.rpt_cluster_year (year integer, sessions bigint)")
                con.execute("insert into {main}.rpt_cluster_year values (2022, ?)", [total])
            if dbt_built:
                build.record_build_state(inputs="{}", plan="full", reason="test")
            return dict(build.publish())
        finally:
            build.discard()


@pytest.fixture
def analyst(server_warehouse: ServerWarehouse) -> Iterator[psycopg.Connection]:  # noqa: F811
    with server_warehouse.connect_as_reader() as con:
        yield con


def test_publish_replaces_the_rows_while_an_analyst_holds_a_transaction(
    engine: PostgresWarehouse, analyst: psycopg.Connection,
) -> None:
    first = _publish_fact(engine, 100)
    assert first["schemas_published"] == ["raw", "main"]  # the build's schemas
    assert first["main"]["created"] == ["rpt_cluster_year"]
    # READ COMMITTED, a transaction left open on the published table: the load neither waits
    # for it nor disturbs it; its next statement sees the new figures, in the same table.
    assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (100,)
    oid = analyst.execute("select 'main.rpt_cluster_year'::regclass::oid").fetchone()
    second = _publish_fact(engine, 200)
    assert second["main"]["replaced"] == ["rpt_cluster_year"]
    assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (200,)
    assert analyst.execute("select 'main.rpt_cluster_year'::regclass::oid").fetchone() == oid
    # Nothing was retired, so nothing is left behind, held or not.
    assert analyst.execute("select count(*) from pg_namespace where nspname like '%retired%'"
                           " or nspname like '%\\_\\_build'").fetchone() == (0,)


def test_the_reader_reads_the_public_schema_and_can_change_nothing(
    engine: PostgresWarehouse, analyst: psycopg.Connection,
) -> None:
    published = _publish_fact(engine, 100)
    assert published["reader_role"] == engine.reader_role
    assert analyst.execute("select count(*) from main.dq_issues").fetchone() == (0,)
    analyst.commit()
    for statement in ("insert into main.rpt_cluster_year values (2023, 1)",
                      "delete from main.rpt_cluster_year", "drop table main.rpt_cluster_year",
                      "create table main.mine (x int)", "create table public.mine (x int)",
                      "select * from raw.received_files", "select * from tuphap_meta.dq_issues",
                      "drop schema main cascade", "create schema mine"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute(statement)
        analyst.rollback()


def test_a_build_without_dbt_publishes_its_raw_rows_and_keeps_the_published_models(
    engine: PostgresWarehouse, analyst: psycopg.Connection,
) -> None:
    _publish_fact(engine, 100)
    partial = _publish_fact(engine, 999, dbt_built=False)
    assert partial["schemas_published"] == ["raw"]
    assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (100,)


def test_a_killed_loads_build_schemas_are_removed_by_the_next(
    engine: PostgresWarehouse, server_warehouse: ServerWarehouse,  # noqa: F811
) -> None:
    with engine.load_lock():
        engine.start_build()  # never published nor discarded: a killed load's leftovers
    with server_warehouse.connect_as_loader() as con:
        assert con.execute("select count(*) from pg_namespace where nspname like '%\\_\\_build'"
                           ).fetchone() == (2,)  # raw and main
    _publish_fact(engine, 1)
    with server_warehouse.connect_as_loader() as con:
        names = {row[0] for row in con.execute("select nspname from pg_namespace").fetchall()}
    assert not {name for name in names if name.endswith("__build")}
    assert {"raw", "main", "tuphap_meta"} <= names


def test_raw_rows_go_in_by_copy_and_received_files_reach_another_machine(
    engine: PostgresWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    archived = engine.archive_dir / "s1"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"the officer's workbook \x00\xff")
    with engine.load_lock():
        build = engine.start_build()
        with build.connect() as con:
            ensure_raw_schema(con)
        build.write_raw(new_batch())  # nothing to write: no transaction
        build.write_raw(raw_batch("s1", 5.0, archive_path=str(archived)))
        build.write_raw(raw_batch("s1", 7.0, receipt=False, archive_path=str(archived)))
        with build.connect() as con:
            assert con.execute("select value from {raw}.submission_values").fetchall() == [(7.0,)]
            assert con.execute("select years, parse_notes from {raw}.received_files").fetchall() \
                == [([2022], ["a note"])]
        build.discard()  # never published: the file's content is kept all the same
    # Another machine (its own local folder) loading the same warehouse gets the file back.
    monkeypatch.setenv("TUPHAP_LOCAL_DIR", str(tmp_path / "second-machine"))
    elsewhere = engine_for(engine.server.display)
    target = elsewhere.archive_dir / "s1"
    with elsewhere.load_lock():
        build = elsewhere.start_build()
        assert build.restore_received({"s1": target, "s2": target.with_name("s2")}) == ["s1"]
        build.discard()
    assert target.read_bytes() == archived.read_bytes()


def test_a_load_whose_lock_session_ended_does_not_publish(
    engine: PostgresWarehouse, analyst: psycopg.Connection, postgres_server: PostgresServer,  # noqa: F811
) -> None:
    _publish_fact(engine, 100)
    with engine.load_lock():
        build = engine.start_build()
        with build.connect() as con:
            con.execute("create table {main}.rpt_cluster_year (year integer, sessions bigint)")
            con.execute("insert into {main}.rpt_cluster_year values (2022, 200)")
        build.record_build_state(inputs="{}", plan="full", reason="test")
        # As a server restart would: the session holding the load lock ends, and the lock
        # with it, so another load may have started by now.
        with postgres_server.connect() as admin:
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                          " where application_name like 'tuphap-load%%'")
        with pytest.raises(LoadLockLostError, match="lost its lock"):
            build.publish()
        build.discard()
    assert analyst.execute("select sessions from main.rpt_cluster_year").fetchone() == (100,)

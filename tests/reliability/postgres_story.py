"""What the PostgreSQL reliability tests share: a server the module owns, and the probes they
use to watch a real `tuphap load` from outside (test_postgres_loads.py tells the story).

Every probe is a fresh superuser connection to the test server (trust authentication): the
published state is what the catalog has committed, so a load's uncommitted publish is invisible
to it, exactly as to an analyst. Loads are watched through what they leave in the database (a
row in `tuphap_meta.builds`, the build schemas, the tables dbt has created, a session waiting on
a lock) rather than through their log.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from orchestration.warehouse.engine import LoadInProgressError, engine_for
from tests.postgres.warehouse import ServerWarehouse
from tests.postgres_programs import runs_as_root, server_binaries
from tests.postgres_server import (
    PostgresServer,
    PostgresServerError,
    _launch,
    _wait_until_ready,
)
from tests.reliability.conftest import DERIVED_FROM_TIMING, PATH_COLUMNS, TIME_IN_TEXT

PUBLISHED_SCHEMAS = ("raw", "main")  # compared row for row: the raw rows and the public tables
DBT_BUILD_SCHEMAS = ("reference__build", "staging__build", "intermediate__build",
                     "quality__build")
# When something happened, not what: differs between two loads of the same files.
TIMING_TYPES = ("timestamp with time zone", "timestamp without time zone",
                "time with time zone", "time without time zone")
# An analyst's question: the cluster's yearly totals, and when its transaction began.
# Only so that a broken load or probe fails instead of hanging the run: never reached when it
# works, however busy the machine.
CEILING_SECONDS = 300
TOTALS = ("select now(), count(*), coalesce(sum(sessions), 0), coalesce(sum(cases_received), 0),"
          " coalesce(sum(cases_completed), 0) from main.rpt_cluster_year")


def totals(row: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(int(value) for value in row[1:])


class Probe:
    """Superuser look-ups in one warehouse database, each on a fresh connection."""

    def __init__(self, warehouse: ServerWarehouse) -> None:
        self.warehouse = warehouse
        self.server = warehouse.server
        self.database = warehouse.database

    def rows(self, query: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.server.connect(self.database) as con:
            return list(con.execute(query, parameters).fetchall())

    def schemas(self) -> set[str]:
        return {row[0] for row in self.rows("select nspname from pg_namespace")}

    def build_schemas(self) -> list[str]:
        return sorted(name for name in self.schemas() if name.endswith("__build"))

    def retired_schemas(self) -> list[str]:
        return sorted(name for name in self.schemas() if "__retired_" in name)

    def last_build(self) -> int:
        """The newest build a load has started (0 before the first)."""
        if "tuphap_meta" not in self.schemas():
            return 0
        return int(self.rows("select coalesce(max(build_id), 0) from tuphap_meta.builds")[0][0])

    def build_started_after(self, build_id: int) -> bool:
        """A load has prepared a newer build: its build schemas exist (leftovers dropped)."""
        return self.last_build() > build_id and "raw__build" in self.schemas()

    def dbt_relations(self) -> int:
        """Views dbt has created in the build schemas so far: only dbt makes them there (a
        partial build's tables are carried forward before dbt starts)."""
        return int(self.rows(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind = 'v'",
            [list(DBT_BUILD_SCHEMAS)])[0][0])

    def blocked_by(self, pid: int) -> list[str]:
        """The statements waiting for a lock that session `pid` holds."""
        return [row[0] for row in self.rows(
            "select query from pg_stat_activity where %s = any(pg_blocking_pids(pid))", [pid])]

    def loader_sessions(self) -> int:
        return int(self.rows(
            "select count(*) from pg_stat_activity where datname = %s and usename = %s",
            [self.database, self.warehouse.loader])[0][0])

    def published_builds(self) -> list[int]:
        return [row[0] for row in self.rows(
            "select build_id from tuphap_meta.builds where published_at is not null"
            " order by build_id")]

    def content(self) -> dict[str, list[str]]:
        """Every row of every table and view of the raw and main schemas, as sorted reprs,
        without the timing columns and with archive paths cut to their file name (the same
        rules as conftest.warehouse_content for DuckDB)."""
        content: dict[str, list[str]] = {}
        with self.server.connect(self.database) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema = any(%s) order by 1, 2",
                [list(PUBLISHED_SCHEMAS)]).fetchall()
            for schema, table in tables:
                columns = [str(name) for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = %s and table_name = %s order by ordinal_position",
                    [schema, table]).fetchall()
                    if kind not in TIMING_TYPES and name not in DERIVED_FROM_TIMING]
                paths = {index for index, name in enumerate(columns) if name in PATH_COLUMNS}
                rows = con.execute(sql.SQL("select {} from {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.Identifier(str(schema), str(table)))).fetchall()
                content[f"{schema}.{table}"] = sorted(
                    TIME_IN_TEXT.sub("<time>", repr(tuple(
                        Path(str(value)).name if index in paths and value else value
                        for index, value in enumerate(row))))
                    for row in rows)
        return content

    def analyst_totals(self) -> tuple[int, ...]:
        """The totals a new analyst session reads now; it must not wait on any load. (While a
        test holds a load in its publish, a query that waited for it would wait until the
        statement timeout, a ceiling, and fail.)"""
        with self.warehouse.connect_as_reader() as con:
            con.execute(sql.SQL("set statement_timeout = {}").format(
                sql.Literal(f"{CEILING_SECONDS}s")))
            row = con.execute(TOTALS).fetchone()
            assert row is not None
            return totals(row)

    def lock_is_free(self) -> bool:
        """The load lock, taken as a load takes it (the server may need a moment to notice that
        a killed holder's connection is gone: it is waited for, up to a ceiling)."""
        try:
            with engine_for(self.warehouse.url_with_password).load_lock(
                    timeout_seconds=CEILING_SECONDS):
                return True
        except LoadInProgressError:
            return False


@dataclass
class Analyst:
    """A reader's session in another thread: one READ COMMITTED transaction, left open, asking
    for the yearly totals every 50 ms (an open notebook, a BI tool's long-lived connection)."""

    warehouse: ServerWarehouse
    observations: list[tuple[float, datetime, tuple[int, ...]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    isolation: str = ""
    _querying: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _connection: psycopg.Connection[tuple[Any, ...]] | None = None

    def start(self) -> None:
        self._connection = self.warehouse.connect_as_reader()
        row = self._connection.execute("show transaction_isolation").fetchone()
        self.isolation = str(row[0]) if row else ""
        self._querying.set()
        self._thread = threading.Thread(target=self._ask, daemon=True)
        self._thread.start()
        self.wait_for_answers(1)

    def wait_for_answers(self, count: int) -> None:
        """Wait until the analyst has asked `count` more times (answered or not); the last of
        them began after this call."""
        target = len(self.observations) + len(self.errors) + count
        deadline = time.monotonic() + CEILING_SECONDS
        while len(self.observations) + len(self.errors) < target:
            assert time.monotonic() < deadline, f"the analyst asked nothing in {CEILING_SECONDS} s"
            time.sleep(0.02)

    def _ask(self) -> None:
        assert self._connection is not None
        while self._querying.is_set():
            try:
                row = self._connection.execute(TOTALS).fetchone()
                assert row is not None
                self.observations.append((time.monotonic(), row[0], totals(row)))
            except Exception as error:  # noqa: BLE001 - the test asserts there are none
                self.errors.append(f"{type(error).__name__}: {error}")
                self._connection.rollback()
            time.sleep(0.05)

    def stop_asking(self) -> None:
        """Stop querying; the transaction stays open (and holds what it read)."""
        self._querying.clear()
        if self._thread is not None:
            self._thread.join(CEILING_SECONDS)

    def end(self) -> None:
        """The analyst ends the transaction and disconnects."""
        self.stop_asking()
        if self._connection is not None:
            self._connection.rollback()
            self._connection.close()
            self._connection = None


def stop_server(server: PostgresServer) -> None:
    """Stop the server the way a DBA restarting it does (fast shutdown: sessions are ended),
    keeping its data folder (PostgresServer.stop would remove it)."""
    server.process.send_signal(signal.SIGINT)
    server.process.wait(CEILING_SECONDS)


def restart_server(server: PostgresServer) -> None:
    """Start the stopped server again on its data folder and port."""
    server.process = _launch(server_binaries(), server.folder, server.port, runs_as_root())
    if not _wait_until_ready(server):
        raise PostgresServerError(f"PostgreSQL did not restart on port {server.port}:\n"
                                  f"{server.log()}")


def published_metadata(dagster_home: Path, run_id: str) -> dict[str, Any]:
    """The metadata the run's `published_warehouse` materialization recorded (what
    Build.publish returned), read from the run's event log in the Dagster instance."""
    database = dagster_home / "history" / "runs" / f"{run_id}.db"
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        events = [row[0] for row in con.execute(
            "select event from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'")]
    finally:
        con.close()
    for text in events:
        materialization = json.loads(text)["dagster_event"]["event_specific_data"][
            "materialization"]
        if materialization["asset_key"]["path"] == ["published_warehouse"]:
            return {entry["label"]: next(iter(
                value for key, value in entry["entry_data"].items() if key != "__class__"))
                for entry in materialization["metadata_entries"]}
    raise AssertionError(f"no published_warehouse materialization in run {run_id}")


def files_holding(secret: str, folders: list[Path]) -> list[str]:
    """Every file under `folders` whose bytes contain `secret`."""
    needle = secret.encode()
    return sorted(str(path) for folder in folders for path in folder.rglob("*")
                  if path.is_file() and needle in path.read_bytes())

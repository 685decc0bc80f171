"""The PostgreSQL engine: a load builds schemas beside the published ones, then publishes them.

Many analysts and BI tools read the published schema `main` while a load runs. So a load writes
only its build schemas (`raw__build`, `main__build`, ...: the raw rows it copies forward and
adds to, and everything dbt builds), and publishes them in one short transaction with a
`lock_timeout` (pgpublish.py): the public tables' rows are replaced in `main`'s stable tables
(pgmain.py), which neither waits for an analyst's open transaction nor changes what it reads
(REPEATABLE READ keeps its snapshot; READ COMMITTED sees the old warehouse or the new one per
statement, never a mix); the lower layers, which the reader role cannot read, are renamed into
place and their old schemas dropped right after.

Outside the swapped schemas, in `tuphap_meta`: the issue history (`dq_issues`; the public
`main.dq_issues` is a view of it), the log of builds (pgpublish.py), and the content of every
received file (pgraw.py). One load at a time across machines: a session advisory lock held for
the load (`load_lock`), which the server frees when the holder's connection ends, killed or not.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg import errors

from orchestration import settings
from orchestration.runtime.processes import stop_leftover_processes
from orchestration.warehouse.batch import RawBatch
from orchestration.warehouse.errors import LoadInProgressError, WarehouseMissingError
from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.pgpublish import (
    BUILD_SUFFIX,
    META_SCHEMA,
    SWAPPED_SCHEMAS,
    build_schema,
    carry_forward_tables,
    drop_build_schemas,
    drop_retired_schemas,
    ensure_meta,
    existing_schemas,
    lock_key_oids,
    prepare_build_schemas,
    publish_build,
    start_build_record,
)
from orchestration.warehouse.pgraw import restore_contents, write_batch
from orchestration.warehouse.server import ServerAddress

# The advisory lock's key: one load at a time per database (pg_advisory_lock takes a bigint).
LOAD_LOCK_KEY = int.from_bytes(hashlib.sha256(b"tuphap-warehouse load").digest()[:8], "big",
                               signed=True)
# The private store's: one pass of the units' messages at a time (WarehouseEngine.private_store).
PRIVATE_STORE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"tuphap-warehouse private store").digest()[:8], "big", signed=True)
LOCK_APPLICATION = "tuphap-load"
DBT_SCHEMA_SUFFIX_ENV = "TUPHAP_SCHEMA_SUFFIX"
# A variable's name, not a password; dbt scrubs the values of DBT_ENV_SECRET_* from its logs.
PASSWORD_SECRET_ENV = "DBT_ENV_SECRET_TUPHAP_PG_PASSWORD"  # noqa: S105


LOCAL_ROOT_ENV = "TUPHAP_LOCAL_DIR"


def local_folder(address: ServerAddress) -> Path:
    """This machine's folder for one server warehouse: the load logs, the yearly reports, the
    build's dbt artifacts and the local copies of received files. Under TUPHAP_LOCAL_DIR, else
    the project's warehouse/servers/."""
    name = "".join(c if c.isalnum() or c in "-." else "_" for c in
                   f"{address.host}-{address.port}-{address.dbname}")
    root = os.environ.get(LOCAL_ROOT_ENV) or settings.DEFAULT_WAREHOUSE.parent / "servers"
    return Path(root).resolve() / name


class PostgresBuild:
    """One load's build schemas: written, then renamed into place or dropped."""

    def __init__(self, engine: PostgresWarehouse) -> None:
        self.engine = engine
        self.folder = engine.local_dir / ".build"
        self.published_done = False
        self.build_id = 0

    def prepare(self) -> None:
        if self.folder.exists():
            # A killed load's dbt process may still be writing its build schemas: stop it.
            stop_leftover_processes(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.engine.server_connection() as con:
            drop_retired_schemas(con)
            drop_build_schemas(con)
            ensure_meta(con)
            self.build_id = start_build_record(con)
            prepare_build_schemas(con)

    @contextmanager
    def connect(self) -> Iterator[PostgresConnection]:
        """A connection on which the published schema names mean this build's schemas, those
        the build has so far: a load whose dbt had nothing to do reads the published models."""
        with self.engine.server_connection() as con:
            built = existing_schemas(con)
            con.schemas = {name: build_schema(name) for name in SWAPPED_SCHEMAS
                           if build_schema(name) in built}
            con.execute(f"set search_path = {build_schema('main')}")  # constant identifier
            yield con

    def write_raw(self, batch: RawBatch) -> None:
        with self.connect() as con:
            write_batch(con, batch)

    def restore_received(self, files: Mapping[str, Path]) -> list[str]:
        """Received files this machine lacks (loaded from another machine), from the
        database's copies (tuphap_meta.received_file_contents)."""
        with self.engine.server_connection() as con:
            return restore_contents(con, dict(files))

    def read_build_state(self) -> str | None:
        """The inputs of the last published build that ran dbt (`tuphap_meta.builds`): a load
        with nothing new runs no dbt and keeps the published models."""
        with self.engine.server_connection() as con:
            row = con.execute(
                f"select inputs from {META_SCHEMA}.builds where published_at is not null"  # noqa: S608
                " and inputs is not null order by build_id desc limit 1").fetchone()
        return row[0] if row else None

    def carry_forward_models(self) -> None:
        """The published dbt tables copied into the build schemas (pgpublish.py): the models a
        partial build leaves as they were; dbt replaces the ones it rebuilds."""
        with self.engine.server_connection() as con:
            carry_forward_tables(con)

    def record_build_state(self, *, inputs: str, plan: str, reason: str) -> None:
        """Record what dbt did in this build: the publish swaps the dbt schemas after a full
        or partial build (pgpublish.publish_build); after none, the published models stay."""
        with self.engine.server_connection() as con:
            con.execute(
                f"update {META_SCHEMA}.builds set inputs = ?, plan = ?, reason = ?,"  # noqa: S608
                " built_at = ? where build_id = ?",
                [inputs, plan, reason, datetime.now(UTC), self.build_id])

    def publish(self) -> dict[str, Any]:
        with self.engine.server_connection() as con:
            published = publish_build(con, build_id=self.build_id,
                                      reader_role=self.engine.reader_role,
                                      lock_session=self.engine.lock_session,
                                      lock_key=LOAD_LOCK_KEY)
            self.published_done = True
            published["dropped_old_schemas"] = drop_retired_schemas(
                con, self.engine.reader_role)
        return {"warehouse": self.engine.address, **published}

    def discard(self) -> None:
        if self.published_done:
            return
        try:
            with self.engine.server_connection() as con:
                drop_build_schemas(con)
        except Exception:  # noqa: BLE001 - the next load removes them; the load's error matters
            return


class PostgresWarehouse:
    """The warehouse as schemas of a PostgreSQL database (orchestration/warehouse/engine.py).

    One object per run or command: while it holds the load lock, it knows the lock's session
    (`lock_session`), which the publish checks is still there (a server restart ends it, and
    frees the lock for another load)."""

    kind = "postgres"
    keeps_unchanged_models = False  # build schemas start empty: tables carried forward

    def __init__(self, server: ServerAddress, reader_role: str = "tuphap_reader") -> None:
        self.server = server
        self.reader_role = reader_role
        self.lock_session: int | None = None  # backend pid of the lock's session, while held

    @classmethod
    def from_url(cls, url: str) -> PostgresWarehouse:
        role = os.environ.get("TUPHAP_PG_READER_ROLE", "").strip() or "tuphap_reader"
        return cls(ServerAddress.parse(url), reader_role=role)

    @property
    def address(self) -> str:
        return self.server.display

    @property
    def local_dir(self) -> Path:
        return local_folder(self.server)

    @property
    def logs_dir(self) -> Path:
        return self.local_dir / "logs"

    @property
    def archive_dir(self) -> Path:
        """This machine's copies of received files; the warehouse keeps every file's content
        (tuphap_meta.received_file_contents), so nothing received is lost across machines."""
        return self.local_dir / "archive"

    def credentials_environment(self) -> dict[str, str]:
        """The URL's password as libpq's PGPASSWORD, for a run started in this process (its
        configuration carries the address without the password)."""
        return {"PGPASSWORD": self.server.password} if self.server.password else {}

    @contextmanager
    def server_connection(self) -> Iterator[PostgresConnection]:
        con = PostgresConnection(self.server.connect("tuphap"))
        try:
            yield con
        finally:
            con.close()

    def exists(self) -> bool:
        with self.server_connection() as con:
            return _published(con)

    @contextmanager
    def load_lock(self, timeout_seconds: float = 0.0) -> Iterator[None]:
        """A session advisory lock on its own connection, held for the load."""
        holder = f"{LOCK_APPLICATION} pid {os.getpid()} on {socket.gethostname()}"
        con = self.server.connect(holder[:63])
        try:
            deadline = time.monotonic() + timeout_seconds
            while not con.execute("select pg_try_advisory_lock(%s)",
                                  [LOAD_LOCK_KEY]).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise LoadInProgressError(
                        f"another load is running on {self.server.label} "
                        f"({_lock_holder(con) or 'unknown holder'}); wait for it to finish,"
                        " or pass --wait SECONDS")
                time.sleep(0.2)
            self.lock_session = con.info.backend_pid
            yield
        finally:
            if self.lock_session is not None:
                # Freed before the next load asks: closing only tells the server to end the
                # session, which frees the lock a moment later (a load of the same process
                # right after was refused by its own lock, seen in two suites at once).
                with suppress(errors.Error):  # a broken session frees it as it ends
                    con.execute("select pg_advisory_unlock(%s)", [LOAD_LOCK_KEY])
            self.lock_session = None
            con.close()

    @contextmanager
    def read_only(self) -> Iterator[PostgresConnection]:
        with self.server_connection() as con:
            if not _published(con):
                raise WarehouseMissingError(
                    f"no warehouse at {self.address}; run `tuphap load` first")
            con.execute("set search_path = main")
            con.execute("set default_transaction_read_only = on")
            yield con

    @contextmanager
    def private_store(self) -> Iterator[PostgresConnection]:
        with self.server_connection() as con:
            # Created by the loading role; nobody else has any right on it (not PUBLIC, not
            # the reader), so the catalog lists no table of it to them.
            # One holder at a time (a pass of the units' messages holds it throughout), as
            # DuckDB's single writer of its store file; a minute's wait, then an error.
            con.execute("set lock_timeout = '60s'")
            con.execute("select pg_advisory_lock(?)", [PRIVATE_STORE_LOCK_KEY])
            con.execute("create schema if not exists tuphap_private")
            con.execute("revoke all on schema tuphap_private from public")
            yield con

    def start_build(self) -> PostgresBuild:
        build = PostgresBuild(self)
        build.prepare()
        return build

    def dbt_environment(self) -> dict[str, str]:
        """The profile's `postgres` target, building into the build schemas."""
        environment = {
            "TUPHAP_DBT_TARGET": "postgres", "TUPHAP_PG_HOST": self.server.host,
            "TUPHAP_PG_PORT": str(self.server.port), "TUPHAP_PG_USER": self.server.user,
            "TUPHAP_PG_DATABASE": self.server.dbname, DBT_SCHEMA_SUFFIX_ENV: BUILD_SUFFIX,
        }
        password = self.server.password or os.environ.get("PGPASSWORD")
        if password:
            environment[PASSWORD_SECRET_ENV] = password
        return environment


def _published(con: PostgresConnection) -> bool:
    """Whether a load has published here: `main` exists only once a full build was renamed
    into place (pgpublish.publish_build)."""
    return bool(con.execute(
        "select count(*) from information_schema.schemata where schema_name = 'main'"
    ).fetchone()[0])


def _lock_holder(con: Any) -> str | None:  # psycopg's own connection
    """Who holds the load lock (sessions of our own role are visible to us): the application
    name the holder set, e.g. `tuphap-load pid 123 on host`, and since when."""
    row = con.execute(
        "select a.application_name || ' since ' || to_char(a.backend_start at time zone 'UTC',"
        " 'YYYY-MM-DD HH24:MI:SS') || ' UTC' from pg_locks l join pg_stat_activity a using (pid)"
        " where l.locktype = 'advisory' and l.granted and l.objsubid = 1"
        " and l.classid::bigint = %s and l.objid::bigint = %s",
        lock_key_oids(LOAD_LOCK_KEY)).fetchone()
    return row[0] if row else None

"""The seam between a load and the warehouse engine: everything that touches the engine.

A load needs the same few things from any engine: one load at a time (`load_lock`), a private
build it writes while analysts keep reading the published warehouse (`start_build`), and from
that build a connection, the raw rows written in bulk (`Build.write_raw`), the record of what
dbt last built (`Build.read_build_state`, `Build.record_build_state`) and an atomic publish
(`Build.publish`); plus the values dbt's profile reads to build into the build
(`dbt_environment`). `engine_for` chooses the engine from the warehouse address: a DuckDB file
(duckdb.py: a copy of the file, swapped in) or a PostgreSQL database (postgres.py: build schemas
renamed into place). A new engine is a new module here and a dbt target, not edits across the
tree.

Everything else a load runs on a connection (reading the raw tables, the quality rules) is SQL
both engines understand, written as warehouse/sql.py says, or is dispatched by dbt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from orchestration.settings import is_server_address
from orchestration.warehouse.batch import RawBatch
from orchestration.warehouse.errors import LoadInProgressError, WarehouseMissingError

__all__ = [
    "Build", "Connection", "Cursor", "LoadInProgressError", "WarehouseEngine",
    "WarehouseMissingError", "engine_for", "transaction",
]


class Cursor(Protocol):
    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What the project's code asks of an engine's connection: `execute` the project's SQL
    (`?` placeholders, `{schema}` placeholders on a build: warehouse/sql.py)."""

    def execute(self, query: str, parameters: Sequence[Any] = ...) -> Cursor: ...


class Build(Protocol):
    """One load's private build of the warehouse: written, then published or discarded."""

    @property
    def folder(self) -> Path:
        """This load's private working folder: dbt's artifacts go here, and go with the build."""
        ...

    def connect(self) -> AbstractContextManager[Connection]:
        """A read-write connection to the build. Close it before dbt runs."""
        ...

    def write_raw(self, batch: RawBatch) -> None:
        """Write one batch of raw rows atomically, replacing rows with the same keys."""
        ...

    def restore_received(self, files: Mapping[str, Path]) -> list[str]:
        """Make sure this machine's archive holds the received files (sha256 -> where the
        archive keeps it) when the warehouse keeps them elsewhere; returns those restored."""
        ...

    def read_build_state(self) -> str | None:
        """The inputs (JSON) of the last dbt build the published warehouse records, if any."""
        ...

    def carry_forward_models(self) -> None:
        """Before a partial dbt build: give the build the published models' tables, so the
        models dbt leaves as they were are there (a no-op where the build is a copy)."""
        ...

    def record_build_state(self, *, inputs: str, plan: str, reason: str) -> None:
        """Record the dbt build this build ran: its inputs, and what it rebuilt and why."""
        ...

    def publish(self) -> Mapping[str, Any]:
        """Make the build the published warehouse, atomically and durably; return what to
        record about it (the run's metadata)."""
        ...

    def discard(self) -> None:
        """Remove what is left of an unpublished build (also after a publish: a no-op)."""
        ...


class WarehouseEngine(Protocol):
    """The warehouse at one address: read it, or lock it and start a build of it."""

    @property
    def kind(self) -> str:
        """"duckdb" or "postgres": a Dagster asset kind, and the name people know it by."""
        ...

    @property
    def address(self) -> str:
        """The warehouse as the data team gave it; never holds a password."""
        ...

    @property
    def keeps_unchanged_models(self) -> bool:
        """Whether a build starts as a copy of the published warehouse, views included
        (DuckDB); else a partial build carries the published tables forward
        (Build.carry_forward_models) and makes every view again (PostgreSQL)."""
        ...

    @property
    def local_dir(self) -> Path:
        """This machine's folder for the warehouse: the DuckDB file's folder, or one per
        server warehouse (load logs, yearly reports, the alert log)."""
        ...

    @property
    def logs_dir(self) -> Path:
        """Where this machine keeps the logs of its loads of this warehouse."""
        ...

    @property
    def archive_dir(self) -> Path:
        """The content-addressed archive of every received file."""
        ...

    def exists(self) -> bool:
        """Whether a load has published a warehouse here."""
        ...

    def credentials_environment(self) -> dict[str, str]:
        """Variables a run in this process needs to reach the warehouse that its address
        (which never holds a password) does not carry: PGPASSWORD from a URL's password."""
        ...

    def load_lock(self, timeout_seconds: float = 0.0) -> AbstractContextManager[None]:
        """Hold the warehouse's load lock, waiting up to `timeout_seconds` for a running load
        (then LoadInProgressError). A killed holder must not leave it held."""
        ...

    def read_only(self) -> AbstractContextManager[Connection]:
        """A short-lived read-only connection to the published warehouse
        (WarehouseMissingError when there is none)."""
        ...

    def start_build(self) -> Build:
        """A fresh private build, as the published warehouse stands (the caller holds the load
        lock, so anything a killed load left is removed first)."""
        ...

    def dbt_environment(self) -> dict[str, str]:
        """What dbt's profile reads to build into this warehouse's build: known before the
        build starts, so a warm dbt process can parse under exactly these values."""
        ...

    def private_store(self) -> AbstractContextManager[Connection]:
        """A read-write connection (each statement committed) to the warehouse's private
        store: schema `tuphap_private`, for what no reader may see (the contacts register,
        every message sent). DuckDB: a file of its own beside the warehouse, readable by its
        owner only (analysts open the warehouse file); PostgreSQL: a schema of the same
        database that the reader role and PUBLIC have no right on."""
        ...


def engine_for(address: str | Path) -> WarehouseEngine:
    """The engine of the warehouse at `address`: a `postgresql://` URL is a PostgreSQL
    database, anything else a DuckDB file path."""
    text = str(address)
    if is_server_address(text):
        from orchestration.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse.from_url(text)
    from orchestration.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse(Path(text).resolve())


@contextmanager
def transaction(engine: WarehouseEngine, timeout_seconds: float = 30.0) -> Iterator[Connection]:
    """A small write outside a load (e.g. acknowledging an issue), published like a load."""
    with engine.load_lock(timeout_seconds):
        if not engine.exists():
            raise WarehouseMissingError(
                f"no warehouse at {engine.address}; run `tuphap load` first")
        build = engine.start_build()
        try:
            with build.connect() as con:
                yield con
            build.publish()
        finally:
            build.discard()

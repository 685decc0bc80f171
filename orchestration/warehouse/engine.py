"""The seam between a load and the warehouse engine: everything that touches the engine.

A load needs the same few things from any engine: one load at a time (`load_lock`), a private
build it writes while analysts keep reading the published warehouse (`start_build`), an
atomic publish of that build (`Build.publish`), the raw rows written in bulk (`write_raw`), the
record of what dbt last built (`read_build_state`, `record_build_state`), and the values dbt's
profile reads to build into the load's build (`dbt_environment`). `engine_for` chooses the
engine from the warehouse address; the DuckDB file (orchestration/warehouse/duckdb.py) is the
first. A second engine is a new module here and a dbt target, not edits across the tree: for
PostgreSQL (issue 12), build schemas renamed into place in one transaction, COPY for the raw
rows, an advisory lock held for the load, the build state in a schema outside the swapped ones.

Everything else a load runs against a connection (reading the raw tables, dbt's models, the
quality rules) is SQL both engines understand, or is dispatched by dbt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

# The errors live in their own module so that engines can raise them without importing this
# one (which imports them lazily in `engine_for`): callers keep importing them from here.
from orchestration.warehouse.errors import LoadInProgressError, WarehouseMissingError
from orchestration.warehouse.server import SERVER_SCHEMES

if TYPE_CHECKING:
    from orchestration.ingest.rows import RawBatch

__all__ = [
    "SERVER_SCHEMES", "Build", "Connection", "Cursor", "LoadInProgressError",
    "WarehouseEngine", "WarehouseMissingError", "engine_for", "transaction",
]



class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What the load's code asks of a connection (DuckDB's; psycopg's has the same shape)."""

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

    def publish(self) -> Mapping[str, Any]:
        """Make the build the published warehouse, atomically and durably; return what to
        record about it (the run's metadata)."""
        ...

    def discard(self) -> None:
        """Remove what is left of an unpublished build (also after a publish: a no-op)."""
        ...


class WarehouseEngine(Protocol):
    """The warehouse at one address, as a load writes it.

    The methods that take a connection take one this engine gave (`read_only`,
    `Build.connect`), of its own type: DuckDB's, or psycopg's for PostgreSQL.
    """

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
        """Whether a build starts as a copy of the published warehouse, so dbt may rebuild
        only what changed (DuckDB); else a build rebuilds every model, or none."""
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

    @property
    def reader_hint(self) -> str:
        """How an analyst opens the warehouse read-only (printed after a load)."""
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

    def ensure_raw_schema(self, con: Any) -> None:
        """Create the raw tables ingest writes, or bring older ones up to date."""
        ...

    def write_raw(self, con: Any, batch: RawBatch) -> None:
        """Write one batch of raw rows atomically, replacing rows with the same keys."""
        ...

    def restore_received(self, con: Any, files: Mapping[str, Path]) -> list[str]:
        """Make sure this machine's archive holds the received files (sha256 -> where the
        archive keeps it) when the warehouse keeps them elsewhere; returns those restored."""
        ...

    def read_build_state(self, con: Any) -> str | None:
        """The inputs (JSON) of the last dbt build recorded in this warehouse, if any."""
        ...

    def record_build_state(self, con: Any, *, inputs: str, plan: str, reason: str) -> None:
        """Record a dbt build that succeeded: its inputs, and what it rebuilt and why."""
        ...


def engine_for(address: str | Path) -> WarehouseEngine:
    """The engine of the warehouse at `address`: a `postgresql://` URL is a PostgreSQL
    database, anything else a DuckDB file path."""
    text = str(address)
    if text.startswith(SERVER_SCHEMES):
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

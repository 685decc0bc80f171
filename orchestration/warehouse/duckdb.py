"""The DuckDB engine: the warehouse is one file, built as a private copy and swapped in.

Analysts read the published DuckDB file, often while a load runs, and an open read-only
connection in another process blocks any writer of the same file. So a load never writes the
published file: it copies it to a build file, does all its work there, and at the end swaps the
build file in with one `os.replace` (atomic on POSIX). A load killed at any moment leaves the
published file untouched; its half-done build file is removed by the next load. One load at a
time is enforced with an advisory lock (flock) that the OS releases when the process dies, so a
killed load never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.runtime.dbt_env import DB_PATH_ENV, WORKDIR_ENV
from orchestration.runtime.processes import stop_leftover_processes
from orchestration.warehouse.errors import LoadInProgressError, WarehouseMissingError
from orchestration.warehouse.sql import render, table_exists

if TYPE_CHECKING:
    import numpy as np

    from orchestration.warehouse.batch import Columns, RawBatch

STATE_TABLE = "meta.dbt_build_state"


class DuckDBConnection:
    """A DuckDB connection that runs the project's SQL (warehouse/sql.py): its schema
    placeholders name the file's own schemas. Anything else is DuckDB's own connection."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.raw = connection

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False) -> DuckDBConnection:
        """A connection to the DuckDB file at `path`; close it (or use it in a `with`)."""
        return cls(duckdb.connect(str(path), read_only=read_only))

    def __enter__(self) -> DuckDBConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()

    def execute(self, query: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        return self.raw.execute(render(query), parameters)

    def executemany(self, query: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        return self.raw.executemany(render(query), parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@contextmanager
def connect(path: Path | str, *, read_only: bool = False) -> Iterator[DuckDBConnection]:
    """A connection to the DuckDB file at `path`, closed when the block ends."""
    with DuckDBConnection.open(path, read_only=read_only) as con:
        yield con


def build_dir(published: Path) -> Path:
    """Where a load writes its private copy of the warehouse, and dbt its artifacts."""
    return published.parent / ".build"


def build_file(published: Path) -> Path:
    """The private copy a load writes. A stable name: one load at a time holds the lock, and
    the file's stem names DuckDB's catalog, which views and dbt's relations refer to."""
    return build_dir(published) / published.name


def private_store_path(published: Path) -> Path:
    """The private store beside the warehouse file (engine.WarehouseEngine.private_store), in
    a folder only its owner may enter: DuckDB's write-ahead log beside it holds addresses too,
    and its mode is the umask's."""
    return published.parent / ".private" / f"{published.stem}.private.duckdb"


# How long a write to the private store waits for another process that holds it.
PRIVATE_STORE_WAIT_SECONDS = 60.0


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".lock")


@contextmanager
def load_lock(published: Path, timeout_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's load lock, waiting up to `timeout_seconds` for a running load."""
    published.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(published), os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    raise LoadInProgressError(
                        f"another load is running on {published} ({holder or 'unknown holder'});"
                        " wait for it to finish, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        holder = f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WarehouseBuild:
    """A private copy of the published warehouse that one load writes and then publishes.

    Only used while holding the load lock, so anything left in the build folder is the debris
    of a killed load and can be removed.
    """

    def __init__(self, published: Path) -> None:
        self.published = published
        self.path = build_file(published)
        self.folder = build_dir(published)
        self.published_done = False

    def prepare(self) -> None:
        if self.folder.exists():
            # Debris of a killed load (we hold the lock): first stop anything still writing
            # it, such as the killed load's dbt process, then remove it.
            stop_leftover_processes(self.folder)
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        if self.published.exists():
            partial = self.path.with_suffix(".partial")
            shutil.copyfile(self.published, partial)
            os.replace(partial, self.path)

    def connect(self) -> AbstractContextManager[DuckDBConnection]:
        return connect(self.path)

    def write_raw(self, batch: RawBatch) -> None:
        """Write one batch atomically; replacing rows with the same keys keeps re-runs
        idempotent. The batch goes to DuckDB column by column (a national load writes
        ~280.000 figures): registered as NumPy arrays, and `insert ... by name` casts."""
        if batch.empty:
            return
        with self.connect() as con:
            _write_batch(con.raw, batch)

    def restore_received(self, files: Mapping[str, Path]) -> list[str]:
        """Nothing to restore: the archive beside the file is the only copy."""
        return []

    def read_build_state(self) -> str | None:
        """The inputs of the last build: `meta.dbt_build_state`, published with the warehouse
        it built (and copied into this build)."""
        with self.connect() as con:
            if not table_exists(con, "meta", "dbt_build_state"):
                return None
            row = con.execute(f"select inputs from {STATE_TABLE}").fetchone()  # noqa: S608
        return row[0] if row else None

    def carry_forward_models(self) -> None:
        """Nothing to carry: the build file is a copy of the published one."""

    def record_build_state(self, *, inputs: str, plan: str, reason: str) -> None:
        with self.connect() as con:
            con.execute("create schema if not exists meta")
            con.execute(f"create or replace table {STATE_TABLE} ("
                        "inputs varchar not null, plan varchar not null, reason varchar not null,"
                        " built_at timestamptz not null)")
            con.execute(f"insert into {STATE_TABLE} values (?, ?, ?, now())",  # noqa: S608
                        [inputs, plan, reason])

    def publish(self) -> dict[str, Any]:
        """Swap the build file in as the published warehouse, atomically and durably."""
        con = duckdb.connect(str(self.path))
        try:
            con.execute("checkpoint")
        finally:
            con.close()
        wal = Path(str(self.path) + ".wal")
        if wal.exists():
            raise RuntimeError(f"build {self.path} still has a write-ahead log; not publishing")
        with open(self.path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(self.path, self.published)
        _fsync_dir(self.published.parent)
        self.published_done = True
        return {"path": str(self.published), "size_bytes": self.published.stat().st_size}

    def discard(self) -> None:
        for leftover in (self.path, Path(str(self.path) + ".wal")):
            leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class DuckDBWarehouse:
    """The warehouse as one DuckDB file (orchestration/warehouse/engine.py's interface)."""

    path: Path  # the published file, absolute
    kind = "duckdb"
    keeps_unchanged_models = True  # the build file is a copy of the published one

    @property
    def address(self) -> str:
        return str(self.path)

    @property
    def local_dir(self) -> Path:
        return self.path.parent

    def credentials_environment(self) -> dict[str, str]:
        return {}

    @property
    def logs_dir(self) -> Path:
        """The load log and the warm dbt process's log live next to the warehouse."""
        return self.local_dir / "logs"

    @property
    def archive_dir(self) -> Path:
        """The content-addressed archive of every received file lives beside the warehouse."""
        return self.local_dir / "archive"

    def exists(self) -> bool:
        return self.path.exists()

    def load_lock(self, timeout_seconds: float = 0.0) -> AbstractContextManager[None]:
        return load_lock(self.path, timeout_seconds)

    def read_only(self) -> AbstractContextManager[DuckDBConnection]:
        if not self.path.exists():
            raise WarehouseMissingError(f"no warehouse at {self.path}; run `tuphap load` first")
        return connect(self.path, read_only=True)

    @contextmanager
    def private_store(self) -> Iterator[DuckDBConnection]:
        path = private_store_path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # whatever the umask, or an older folder, made it
        deadline = time.monotonic() + PRIVATE_STORE_WAIT_SECONDS
        while True:
            try:
                con = DuckDBConnection.open(path)
                break
            except duckdb.IOException:  # another process writes it (a load, `tuphap remind`)
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        try:
            os.chmod(path, 0o600)
            con.execute("create schema if not exists tuphap_private")
            yield con
        finally:
            con.close()

    def start_build(self) -> WarehouseBuild:
        build = WarehouseBuild(self.path)
        build.prepare()
        return build

    def dbt_environment(self) -> dict[str, str]:
        """The profile's DuckDB path (profiles.yml, target `dev`): the build file, by its name
        in the build folder dbt runs in. Not its absolute path: dbt ties a saved parse to the
        profile, and each new warehouse (every test's) would pay a full parse (~6 s)."""
        return {DB_PATH_ENV: build_file(self.path).name, WORKDIR_ENV: str(build_dir(self.path))}


def _write_batch(con: duckdb.DuckDBPyConnection, batch: RawBatch) -> None:
    tables = {
        "batch_received": batch.received, "batch_receipts": batch.receipts,
        "batch_submissions": batch.submissions, "batch_values": batch.values,
        "batch_decisions": batch.decisions, "batch_targets": batch.targets,
    }
    con.begin()
    try:
        for name, columns in tables.items():
            con.register(name, _scannable(columns))
        con.execute(
            "delete from raw.received_files where sha256 in (select sha256 from batch_received)")
        con.execute("insert into raw.received_files by name select * from batch_received")
        con.execute("insert into raw.file_receipts by name select * from batch_receipts")
        con.execute("delete from raw.submission_values where submission_id in"
                    " (select submission_id from batch_submissions)")
        con.execute("delete from raw.submissions where submission_id in"
                    " (select submission_id from batch_submissions)")
        con.execute("insert into raw.submissions by name select * from batch_submissions")
        con.execute("insert into raw.submission_values by name select * from batch_values")
        con.execute("delete from raw.target_values where decision_id in"
                    " (select decision_id from batch_decisions)")
        con.execute("delete from raw.target_decisions where decision_id in"
                    " (select decision_id from batch_decisions)")
        con.execute("insert into raw.target_decisions by name select * from batch_decisions")
        con.execute("insert into raw.target_values by name select * from batch_targets")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for name in tables:
            con.unregister(name)


def _scannable(columns: Columns) -> Mapping[str, np.ndarray]:
    """Columns as DuckDB scans them (None stays NULL). Not Arrow: turning Python objects into
    Arrow makes pyarrow import pandas, ~1 s of a load's critical path."""
    import numpy as np

    # fromiter: one object per row (np.array would turn a column of lists into 2-D)
    return {name: np.fromiter(column, dtype=object, count=len(column))
            for name, column in columns.data.items()}

"""The warehouse file, its build copy and the atomic publish.

Analysts read the published DuckDB file, often while a load runs, and an open read-only
connection in another process blocks any writer of the same file. So a load never writes the
published file: it copies it to a build file, does all its work there, and at the end swaps the
build file in with one `os.replace` (atomic on POSIX). A load killed at any moment leaves the
published file untouched; its half-done build file is removed by the next load. One load at a
time is enforced with an advisory lock that the OS releases when the process dies, so a killed
load never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import time
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.settings import build_dir, build_file

log = dg.get_dagster_logger("tuphap.warehouse")  # shows in the run's log, like step logs
LEFTOVER_GRACE_SECONDS = 10.0


class LoadInProgressError(RuntimeError):
    """Another load holds the warehouse; raised after waiting for the configured time."""


class WarehouseMissingError(FileNotFoundError):
    """No load has published a warehouse at this path yet."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def load_lock(warehouse: Path, timeout_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's load lock, waiting up to `timeout_seconds` for a running load."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(warehouse), os.O_RDWR | os.O_CREAT, 0o644)
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
                        f"another load is running on {warehouse} ({holder or 'unknown holder'});"
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


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:  # gone meanwhile
                continue
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            parents[int(entry.name)] = int(stat[stat.rfind(b")") + 2:].split()[1])
    return parents


def _descendants(pid: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def processes_started_for(folder: Path) -> list[int]:
    """Pids of processes whose environment points into `folder`, except this process and
    its descendants (this load's own warm dbt process and whatever dbt starts), and the warm
    dbt processes of other live loads (one waiting for the lock: it has only parsed).

    A load runs dbt with its build file and dbt-target/ folder in the environment
    (TUPHAP_DBT_DB_PATH, DBT_TARGET_PATH: orchestration/dbt.py, dagster-dbt), and dbt's own
    children inherit it; someone merely looking at a file in the folder is not matched. Read
    from /proc, so Linux only; elsewhere, and for other users' processes, nothing is found.
    """
    if not Path("/proc").is_dir():
        return []
    inside = (str(folder.resolve()) + os.sep).encode()
    parents = _parents()
    ours = _descendants(os.getpid(), parents) | {os.getpid()}
    found = []
    for pid in parents:
        if pid in ours:
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if any(value.partition(b"=")[2].startswith(inside) for value in environ.split(b"\0")):
            if not _warm_dbt_of_live_load(pid, running=parents.keys()):
                found.append(pid)
    return found


def _warm_dbt_of_live_load(pid: int, running: AbstractSet[int]) -> bool:
    """Whether `pid` is a warm dbt process (orchestration/dbt_warm.py) whose load is among the
    `running` processes.

    Such a process only runs a build once its load holds the lock, and it ends by itself as
    soon as its load does."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if b"orchestration.dbt_warm" not in argv or b"--parent" not in argv:
        return False
    try:
        parent = int(argv[argv.index(b"--parent") + 1])
    except (IndexError, ValueError):
        return False
    return parent in running


def stop_leftover_processes(
    folder: Path, grace_seconds: float = LEFTOVER_GRACE_SECONDS
) -> list[int]:
    """Stop processes a killed load left behind for its build folder; return their pids.

    A load runs dbt as a child process. When the load is killed outright (SIGKILL, the OOM
    killer), dbt is not: it keeps building for another minute, and would open or write the
    next load's build (same paths: the database, its WAL, dbt-target/). The caller holds the
    load lock, so no live load builds with these processes. SIGTERM, then SIGKILL.
    """
    leftovers = processes_started_for(folder)
    if not leftovers:
        return []
    log.warning("stopping processes of a killed load still using %s: %s", folder, leftovers)
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, grace_seconds)):
        for pid in leftovers:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            remaining = [pid for pid in processes_started_for(folder) if pid in leftovers]
            if not remaining:
                return leftovers
            time.sleep(0.1)
    raise RuntimeError(
        f"processes {processes_started_for(folder)} of a killed load still use {folder}; stop them "
        "and run the load again")


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
        self.published_done = False

    def prepare(self) -> None:
        folder = build_dir(self.published)
        if folder.exists():
            # Debris of a killed load (we hold the lock): first stop anything still writing
            # it, such as the killed load's dbt process, then remove it.
            stop_leftover_processes(folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        if self.published.exists():
            partial = self.path.with_suffix(".partial")
            shutil.copyfile(self.published, partial)
            os.replace(partial, self.path)

    def publish(self) -> Path:
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
        return self.published

    def discard(self) -> None:
        for leftover in (self.path, Path(str(self.path) + ".wal")):
            leftover.unlink(missing_ok=True)


@contextmanager
def warehouse_transaction(
    published: Path, timeout_seconds: float = 30.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A small write outside a load (e.g. acknowledging an issue), published like a load."""
    with load_lock(published, timeout_seconds):
        if not published.exists():
            raise WarehouseMissingError(f"no warehouse at {published}; run `tuphap load` first")
        build = WarehouseBuild(published)
        build.prepare()
        try:
            con = duckdb.connect(str(build.path))
            try:
                yield con
            finally:
                con.close()
            build.publish()
        finally:
            build.discard()


@contextmanager
def open_published(published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the published warehouse."""
    if not published.exists():
        raise WarehouseMissingError(f"no warehouse at {published}; run `tuphap load` first")
    con = duckdb.connect(str(published), read_only=True)
    try:
        yield con
    finally:
        con.close()


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse as a Dagster run sees it: a locked, private build copy until publish.

    `setup_for_execution` runs once per run with the in-process executor: it takes the load
    lock and prepares the build copy; `teardown_after_execution` drops an unpublished build and
    releases the lock, also when the run failed.
    """

    path: str | None = None  # the published file; default TUPHAP_WAREHOUSE or the project's
    scope: str | None = None  # cluster | national; default TUPHAP_SCOPE or cluster
    lock_timeout_seconds: float = 300.0

    _stack: ExitStack | None = PrivateAttr(default=None)
    _build: WarehouseBuild | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        return settings.warehouse_path(self.path)

    @property
    def resolved_scope(self) -> str:
        return settings.scope(self.scope)

    @property
    def archive_dir(self) -> Path:
        return settings.archive_dir(self.published_path)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._open_build()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._close_build()

    def _open_build(self) -> WarehouseBuild:
        if self._build is None:
            stack = ExitStack()
            stack.enter_context(load_lock(self.published_path, self.lock_timeout_seconds))
            try:
                build = WarehouseBuild(self.published_path)
                build.prepare()
            except BaseException:
                stack.close()
                raise
            self._stack, self._build = stack, build
        return self._build

    def _close_build(self) -> None:
        if self._build is not None:
            self._build.discard()
        if self._stack is not None:
            self._stack.close()
        self._build, self._stack = None, None

    @property
    def build_path(self) -> Path:
        """The file this run writes; dbt is pointed at it too."""
        return self._open_build().path

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's build copy. Close it before dbt runs."""
        con = duckdb.connect(str(self.build_path))
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Make this run's build the published warehouse (the last step of a load)."""
        build = self._open_build()
        published = build.publish()
        # Later writers in this run (none expected) would start again from the published file.
        self._close_build()
        return published

"""A worker process that gets its slow imports done before it is needed.

Some steps of a load need a library that is slow to import (Great Expectations: ~5 s of CPU)
but run late. Imported when the step starts, that time adds to every load; imported in a thread
of the load's process, it competes with the load for the interpreter lock. A `WarmProcess` is
started when the run starts, imports on the machine's other core while ingest and dbt run, and
then runs the step's function when asked.

The worker is started fresh ("spawn", never fork: the load's process runs Dagster's threads)
and imports only its warm-up's module and what the warm-up imports (so a warm-up belongs in
a module that does not import Dagster), unless a preload server (runtime/preload.py) forks it
with all that imported already. It exits when told, when stopped, or as soon as the load's
process dies.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from ingest.errors import TuphapError
from orchestration.runtime.preload_client import (
    READY,
    ForkedWorker,
    PreloadUnavailable,
    end_process,
    fork_helper,
    qualified_name,
    resolve,
    server_socket,
)

STOP_GRACE_SECONDS = 2.0
ORPHAN_CHECK_SECONDS = 0.5


class WorkerDied(TuphapError, RuntimeError):
    """The worker process ended without answering (killed, out of memory, crashed)."""


def exit_when_orphaned(parent: int, cleanup: Callable[[], object] | None = None) -> None:
    """End this (worker) process as soon as `parent`, the load that started it, is gone,
    after `cleanup` (e.g. removing its temporary files: the exit skips `finally` blocks).

    A load killed outright (kill -9, the OOM killer) cannot stop its helpers, and some would
    wait forever (a process pool's workers on their task queue) or work for nothing (dbt on a
    build the next load discards).
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        if cleanup is not None:
            cleanup()
        os._exit(1)

    threading.Thread(target=watch, name="tuphap-orphan-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """A subprocess `preexec_fn`: the child gets `sig` when the process that started it dies,
    killed or not (Linux's parent-death signal), so a program started for a process (a
    service, a test's database server) never outlives it. Set in the child after any user
    switch (which would clear it); a child whose parent died before exits at once. The death
    is that of the starting THREAD: start the child from a thread that outlives it."""
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child only calls it
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def serve_calls(conn: Connection, warm_up: Callable[[], object] | None, niceness: int) -> None:
    """The worker's side: warm up, then run each function the caller sends, until told to
    stop or the caller is gone (in a spawned worker, or one the preload server forked)."""
    if niceness:
        os.nice(niceness)
    if warm_up is not None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001, S110 - the call itself reports it, with context
            pass
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the load's process is gone
            return
        if request is None:
            return
        function, args = request
        try:
            reply = ("ok", function(*args))
        except BaseException as error:  # noqa: BLE001 - handed back to the caller
            reply = ("error", error)
        try:
            conn.send(reply)
        except Exception as error:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send(("error", RuntimeError(f"could not return the result: {error!r}")))


def _spawned(conn: Connection, warm_up: Callable[[], object] | None, parent: int,
             niceness: int) -> None:
    exit_when_orphaned(parent)
    serve_calls(conn, warm_up, niceness)


def serve_forked(conn: Connection, _fds: Sequence[int], *, warm_up: str | None,
                 niceness: int) -> None:
    """A worker's entry in the preload server (runtime/preload.py): its warm-up found there
    first (else it is not READY, and the load spawns its worker), then `serve_calls`."""
    function = resolve(warm_up) if warm_up else None
    conn.send(READY)
    serve_calls(conn, function, niceness)


class WarmProcess:
    """One worker process: started early, warmed up, then called synchronously."""

    def __init__(self, warm_up: Callable[[], object] | None = None, *, name: str = "worker",
                 niceness: int = 0):
        """`niceness` > 0 lowers the worker's CPU priority: its warm-up then only uses CPU the
        load's own processes leave idle. It is for good: without privilege a process cannot
        lower its niceness again, so once the load waits for the worker, the worker still
        yields to anything else the machine runs."""
        self._warm_up = warm_up
        self._name = name
        self._niceness = niceness
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | ForkedWorker | None = None
        self._origin = ""

    @property
    def started(self) -> bool:
        return self._process is not None

    @property
    def origin(self) -> str:
        """Where the worker came from, for the load's log."""
        return self._origin

    def start(self) -> None:
        """Start the worker; returns at once while it warms up. From the preload server when
        one is configured and forks it (runtime/preload.py: nothing left to import), else a
        fresh process."""
        if self._process is not None:
            return
        refused = self._from_preload_server()
        if refused is not None:
            self._spawn(refused)

    def _from_preload_server(self) -> str | None:
        """Take a worker from the preload server (None); else why not ("": none is set)."""
        path = server_socket()
        if path is None:
            return ""
        try:
            self._conn, self._process = fork_helper(path, serve_forked, {
                "warm_up": qualified_name(self._warm_up) if self._warm_up else None,
                "niceness": self._niceness})
        except PreloadUnavailable as error:
            return f"; the preload server did not fork it: {error}"
        self._origin = f"forked by the preload server (pid {self._process.pid})"
        return None

    def _spawn(self, why: str) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_spawned, args=(child, self._warm_up, os.getpid(), self._niceness),
            name=self._name, daemon=True)
        process.start()
        child.close()
        self._conn, self._process = parent, process
        self._origin = f"a new process (pid {process.pid}){why}"

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run `function(*args)` in the worker and return its result (or raise its error).

        `function` must be importable by name (a module-level function) and the arguments and
        result picklable. Waits for the warm-up to finish first.
        """
        if self._conn is None or self._process is None:
            raise RuntimeError(f"{self._name} is not started")
        try:
            self._conn.send((function, args))
        except (BrokenPipeError, ConnectionResetError) as error:  # it ended before the call
            raise self._died() from error
        while not self._conn.poll(0.2):
            if not self._process.is_alive():
                raise self._died()
        try:
            status, value = self._conn.recv()
        except EOFError as error:  # it ended while answering, or just before
            raise self._died() from error
        except Exception as error:  # e.g. an error that cannot be rebuilt here
            raise RuntimeError(f"{self._name}: its answer could not be read: {error!r}") from error
        if status == "error":
            raise value
        return value

    def _died(self) -> WorkerDied:
        assert self._process is not None
        self._process.join(STOP_GRACE_SECONDS)
        code = self._process.exitcode
        return WorkerDied(f"{self._name} (pid {self._process.pid}) ended"
                          f"{'' if code is None else f' with exit code {code}'} before answering")

    def stop(self) -> None:
        """Stop the worker, at once if it is still warming up or working."""
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if process is None or conn is None:
            return
        try:
            conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        conn.close()
        process.join(0.05)
        end_process(process, STOP_GRACE_SECONDS)
        if isinstance(process, ForkedWorker):
            process.close()  # its pidfd

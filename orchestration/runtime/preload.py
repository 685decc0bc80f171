"""A preload server: one process that has imported the slow libraries, forking a ready worker
for each load that asks.

A load starts two helper processes, and a fresh Python process pays for its imports before it
does anything: ~4,5 s of CPU for the Great Expectations worker (runtime/workers.py), ~3 s for
the warm dbt process (runtime/warm_dbt.py, runtime/dbt_warm_up.py). Where many loads run (the
service, a day of corrections, the test suite) that is the same work again and again. A preload
server runs the warm-ups once (`--warm-up`, one per kind of helper: they import and do what
each process would do once, they never parse a project or start a thread) and listens on a
Unix socket; a load that finds one (its path in TUPHAP_PRELOAD) hands it one end of a socket
pair with its environment, folder, standard output and error (and any other descriptor the
helper needs), and the name of the helper's entry function; the server forks a child that
becomes the load's helper with everything imported. The entry says
`READY` on the socket pair once it serves (`workers.serve_forked`, `warm_dbt.serve_forked`).

A forked helper is not the load's child: it watches the load through a pidfd and exits the
moment the load ends, killed or not (after the clean-ups its entry asked for:
`when_load_ends`), and the load watches it the same way (ForkedWorker, in
runtime/preload_client.py, with the checks of who may ask and for which code). What differs
from a spawned helper: the server's niceness, limits, cgroup, umask and session, not the
load's, and what the interpreter reads once at its start (PYTHONPATH, PYTHONUNBUFFERED, the
locale); its signal dispositions are reset to a new process's. The server
forks from its only Python thread; native libraries' own threads (OpenBLAS: one thread asked
for, below) handle the fork themselves. A server that does not answer, or refuses: the load
spawns its helper as before, and its log says so.

Only the standard library is imported at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from orchestration import settings
from orchestration.runtime.messages import receive, send
from orchestration.runtime.preload_client import (
    ANSWER_TIMEOUT_SECONDS,
    MAX_EXTRA_FDS,
    code_fingerprint,
    ended,
    peer,
    resolve,
)
from orchestration.runtime.workers import die_with_parent

MODULE = "orchestration.runtime.preload"  # its `python -m` name
SOCKET_NAME = "preload.sock"
READY_CEILING_SECONDS = 300.0  # `wait_ready`: a ceiling against a hang, not a timing
_LOAD_GONE_CLEANUPS: list[Callable[[], object]] = []  # in a forked helper: `when_load_ends`


def when_load_ends(cleanup: Callable[[], object]) -> None:
    """In a forked helper: run `cleanup` (e.g. remove its temporary folder) before it exits
    because its load ended; the exit skips `finally` blocks."""
    _LOAD_GONE_CLEANUPS.append(cleanup)


def _release_named_semaphores() -> None:
    """Run multiprocessing's finalizers of this process (those the server made before the
    fork are skipped by their pid check): they unlink the named semaphores dbt creates, which
    the server's shared resource tracker would otherwise unlink only when the server ends.
    Not when the load is gone: a finalizer may join a pool whose thread still runs a query."""
    from multiprocessing import util

    with contextlib.suppress(Exception):
        util._run_finalizers(0)  # noqa: SLF001 - what a normal exit of the process runs


def _leave(code: int, *, finalize: bool) -> NoReturn:
    """End a forked helper: its entry's clean-ups, then without the server's exit handlers
    (they would remove the server's socket)."""
    for cleanup in _LOAD_GONE_CLEANUPS:
        with contextlib.suppress(Exception):
            cleanup()
    if finalize:
        _release_named_semaphores()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def exit_when_gone(pidfd: int) -> None:
    """End this process the moment the process of `pidfd` (its load) ends."""

    def watch() -> None:
        ended(pidfd, None)
        _leave(1, finalize=False)

    threading.Thread(target=watch, name="tuphap-load-watch", daemon=True).start()


def _signals_of_a_new_process() -> None:
    """The dispositions a spawned helper would start with, whatever the server inherited (a
    `make serve &` from a script ignores SIGINT, which the dbt shim forwards to cancel a
    build); SIGTERM, as its load's stop sends, ends it through its clean-ups."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM,
                  lambda signum, _frame: _leave(128 + signum, finalize=True))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})


def _helper_main(request: Mapping[str, Any], fds: Sequence[int], load: int) -> int:
    """In the forked child: become the requesting load's helper, as a spawned one would be
    (its environment, folder and output), and run the entry the request names until the load
    is done. `load` is a pidfd of the load; `fds` the socket pair's end, stdout, stderr, then
    the entry's own descriptors."""
    connection, stdout, stderr, *extra = fds
    try:
        _signals_of_a_new_process()
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in (stdout, stderr):
            os.close(fd)
        for stream in (sys.stdout, sys.stderr):  # line by line, as PYTHONUNBUFFERED asks
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        exit_when_gone(load)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        entry = resolve(request["entry"])
        return int(entry(Connection(connection), extra, **request["args"]) or 0)
    except BaseException:  # noqa: BLE001 - it ends; its load sees it and says so
        traceback.print_exc()
        return 1
    finally:
        _release_named_semaphores()
        sys.stdout.flush()
        sys.stderr.flush()


def _reap(_signum: int = 0, _frame: object = None) -> None:
    """Collect ended helpers (SIGCHLD): each load watches its own through a pidfd."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _answer(conn: socket.socket, listener: socket.socket, fingerprint: str) -> None:
    """One request: fork a helper for it and send the load the helper's pid and pidfd, or
    say why not. Both pidfds (the load's, for the worker to watch; the worker's, for the
    load) are opened while their process cannot be gone: the load waits for this answer, and
    the worker cannot be collected before SIGCHLD is unblocked again."""
    load_pid, uid = peer(conn)
    if uid != os.getuid():
        return  # another user's process: no answer, and nothing of theirs runs here
    request, fds = receive(conn, max_fds=3 + MAX_EXTRA_FDS)
    load = -1
    try:
        if len(fds) < 3 or request.get("fingerprint") != fingerprint:
            send(conn, {"refused": "the preload server runs other code than this load"
                        if len(fds) >= 3 else "a request carries its socket, stdout, stderr"})
            return
        load = os.pidfd_open(load_pid)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                os._exit(_helper_main(request, fds, load))
            worker = os.pidfd_open(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        try:
            send(conn, {"pid": pid}, fds=[worker])
        finally:
            os.close(worker)
    finally:
        for fd in [*fds, load] if load >= 0 else fds:
            os.close(fd)


def serve(listener: socket.socket) -> None:
    """Fork a helper for each request, until stopped. A request that fails is logged and
    the next one served: the load that made it spawns its own worker."""
    fingerprint = code_fingerprint()
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:  # e.g. out of file descriptors for a moment
            traceback.print_exc()
            time.sleep(0.1)
            continue
        with conn:
            conn.settimeout(ANSWER_TIMEOUT_SECONDS)
            try:
                _answer(conn, listener, fingerprint)
            except Exception:  # noqa: BLE001 - one load's request, not the server's end
                traceback.print_exc()


@dataclass
class PreloadServer:
    """A started preload server: its process and the private folder of its socket."""

    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def socket_path(self) -> Path:
        return self.folder / SOCKET_NAME

    @classmethod
    def start(cls, *, warm_ups: Sequence[str], log_path: Path | None = None) -> PreloadServer:
        """Start a server that runs `warm_ups` (each `module:name`) and ends with this thread
        (its parent-death signal); it takes requests once it is `ready`. Its socket is in a
        new 0700 folder, which it removes when it ends."""
        folder = Path(tempfile.mkdtemp(prefix="tuphap-preload-"))  # short: a socket path is short
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        named = [arg for warm_up in warm_ups for arg in ("--warm-up", warm_up)]
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", MODULE, "--socket", str(folder / SOCKET_NAME),
                 *named, "--remove-folder"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=settings.PROJECT_ROOT, start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGTERM))  # noqa: PLW1509
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        return cls(process=process, folder=folder)

    def ready(self) -> bool:
        """Whether it takes requests (its socket is there); False once it has ended."""
        return self.process.poll() is None and self.socket_path.exists()

    def wait_ready(self, ceiling: float = READY_CEILING_SECONDS) -> bool:
        """Wait until it is ready (~5 s of imports); False if it ended or hung instead."""
        deadline = time.monotonic() + ceiling
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        """End the server (its workers end with their loads) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m orchestration.runtime.preload --socket PATH --warm-up MODULE:NAME ...`: warm
    up, then serve on PATH (its folder should be private: `mktemp -d`) until SIGTERM."""
    parser = argparse.ArgumentParser(description="A preload server (see the module docstring)")
    parser.add_argument("--socket", required=True, type=Path, help="where to listen")
    parser.add_argument("--warm-up", required=True, action="append",
                        help="module:function run before serving (repeatable), e.g. "
                             "orchestration.quality.evaluate:warm_up")
    parser.add_argument("--remove-folder", action="store_true",
                        help="remove the socket's folder at the end (PreloadServer's own)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the socket file is removed
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no native threads to fork over
    code_fingerprint()  # of the code on disk before it is imported: what the workers run
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = args.socket.with_name(args.socket.name + ".new")
    try:
        for warm_up in args.warm_up:
            resolve(warm_up)()
        gc.collect()  # the warm-ups' garbage is freed, not frozen with the rest
        gc.freeze()  # what the warm-ups made stays shared: a child's collections leave it be
        # Bound under a temporary name, private, then renamed: it appears ready to accept.
        staging.unlink(missing_ok=True)
        previous = os.umask(0o077)
        try:
            listener.bind(str(staging))
        finally:
            os.umask(previous)
        listener.listen(16)
        staging.rename(args.socket)
        print(f"preload server ready ({', '.join(args.warm_up)} done)", flush=True)
        serve(listener)
    finally:
        listener.close()
        for path in (staging, args.socket):
            path.unlink(missing_ok=True)
        if args.remove_folder:
            shutil.rmtree(args.socket.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    # The module's own copy, not __main__'s: a helper's entry registers its clean-ups there
    # (`when_load_ends`, imported by name).
    from orchestration.runtime.preload import main as imported_main

    sys.exit(imported_main())

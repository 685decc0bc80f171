"""A preload server: one process that has imported the slow libraries, forking a ready worker
for each load that asks.

Each load validates its rows with Great Expectations in a worker process (runtime/workers.py),
and a fresh Python process pays ~4,5 s of CPU importing Great Expectations and pandas before it
validates anything. Where many loads run (the service, a day of corrections, the test suite)
that is the same work again and again. A preload server imports them once and listens on a Unix
socket; a load that finds one (its path in TUPHAP_PRELOAD) hands it one end of a socket pair
with its environment, folder and pid, and the server forks a worker that serves the load on
that socket (`workers.serve_calls`) with everything already imported.

A forked worker is not the load's child: it watches the load through a pidfd and exits the
moment the load ends, killed or not, and the load watches it the same way (`ForkedWorker`).
The server forks from its only thread (forking a threaded process can deadlock the child) and
serves the code it imported at its start: restart it with the code (`make serve` runs one beside
the daemon). No server, or one that does not answer: the load spawns its worker as before.

Only the standard library is imported at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.runtime.messages import receive, send
from orchestration.runtime.preload_client import ANSWER_TIMEOUT_SECONDS
from orchestration.runtime.proc import start_time
from orchestration.runtime.workers import die_with_parent, serve_calls

MODULE = "orchestration.runtime.preload"  # its `python -m` name
# What the server runs before it forks: the row rules' worker's warm-up (imports Great
# Expectations and pandas; starts no thread).
PRELOAD_WARM_UP = "orchestration.quality.evaluate:warm_up"
SOCKET_NAME = "preload.sock"


def resolve(name: str) -> Callable[..., Any]:
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def exit_when_gone(pid: int, started: int | None) -> None:
    """End this process the moment process `pid` (which started at `started`) ends."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    if start_time(pid) != started:
        os._exit(1)

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="tuphap-load-watch", daemon=True).start()


def _worker_main(request: Mapping[str, Any], fd: int) -> int:
    """In the forked child: become the requesting load's worker, as a spawned one would be
    (its environment and folder), and serve it until it is done."""
    try:
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        exit_when_gone(int(request["parent"]), request["parent_started"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        warm_up = resolve(request["warm_up"]) if request["warm_up"] else None
        serve_calls(Connection(fd), warm_up, int(request["niceness"]))
        return 0
    except BaseException:  # noqa: BLE001 - a worker that cannot serve ends; its load sees it
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def serve(listener: socket.socket) -> None:
    """Fork a worker for each request, until stopped. Ended workers are reaped by the kernel
    (SIGCHLD ignored): their loads watch them through pidfds, not exit codes."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(ANSWER_TIMEOUT_SECONDS)
            try:
                request, fds = receive(conn, max_fds=1)
            except (OSError, EOFError, ValueError):
                continue
            if len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                continue
            try:
                pid = os.fork()
            except OSError:  # out of memory or processes: the load spawns its worker itself
                os.close(fds[0])
                continue
            if pid == 0:
                listener.close()
                conn.close()
                os._exit(_worker_main(request, fds[0]))
            os.close(fds[0])
            with contextlib.suppress(OSError):  # the load is gone: so is its worker, soon
                send(conn, {"pid": pid, "started": start_time(pid)})


@dataclass
class PreloadServer:
    """A started preload server: its process and the folder of its socket."""

    process: subprocess.Popen
    folder: Path

    @property
    def socket_path(self) -> Path:
        return self.folder / SOCKET_NAME

    @classmethod
    def start(cls, *, env: Mapping[str, str] | None = None, log_path: Path | None = None,
              cwd: Path = settings.PROJECT_ROOT) -> PreloadServer:
        """Start a server that ends with this thread (its parent-death signal); it takes
        requests once it has run PRELOAD_WARM_UP (`ready`)."""
        folder = Path(tempfile.mkdtemp(prefix="tuphap-preload-"))  # short: a socket path is short
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", MODULE, "--socket", str(folder / SOCKET_NAME)],
                env=dict(os.environ if env is None else env), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
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

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A preload server (see the module docstring)")
    parser.add_argument("--socket", required=True, type=Path, help="where to listen")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the socket file is removed
    resolve(PRELOAD_WARM_UP)()
    args.socket.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        # Bound under a temporary name and renamed: the socket appears ready to accept.
        staging = args.socket.with_name(args.socket.name + ".new")
        staging.unlink(missing_ok=True)
        listener.bind(str(staging))
        listener.listen(16)
        staging.rename(args.socket)
        print(f"preload server ready ({PRELOAD_WARM_UP} done)", flush=True)
        serve(listener)
    finally:
        listener.close()
        args.socket.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # PreloadServer's folder, if nothing else is in it
            args.socket.parent.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())

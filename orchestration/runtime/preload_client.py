"""The load's side of the preload server (runtime/preload.py): ask it for a helper (the Great
Expectations worker, the warm dbt process), and watch that helper, which is the server's
child, not ours.

A request carries the load's environment (passwords among it) and the helper then runs what
the load sends it, so both sides check that the other runs as the same user (SO_PEERCRED), and
a helper is only forked from a server whose code is the load's own (`code_fingerprint`).
Only the standard library: runtime/workers.py imports this for every worker it starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import select
import signal
import socket
import struct
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from orchestration.runtime.messages import receive, send
from orchestration.settings import PROJECT_ROOT

PRELOAD_ENV = "TUPHAP_PRELOAD"  # the socket of a running preload server
ANSWER_TIMEOUT_SECONDS = 30.0  # a fork and a few system calls: generous for a busy machine
READY = "ready"  # what a forked helper's entry says once it serves its load
MAX_EXTRA_FDS = 2  # descriptors a helper's entry may take besides its socket and output
_FORKED_FOR_US: set[int] = set()  # pids of this process's helpers the server forked, not closed
_PACKAGES = ("ingest", "expectations", "orchestration")  # the code the fingerprint covers


class PreloadUnavailable(RuntimeError):
    """No preload server forked a helper: the caller starts its own."""


def server_socket(env: Mapping[str, str] = os.environ) -> Path | None:
    """The preload server's socket this process may use (TUPHAP_PRELOAD), if any: Linux only
    (a forked helper and its load watch each other through pidfds)."""
    value = env.get(PRELOAD_ENV, "").strip()
    return Path(value) if value and hasattr(os, "pidfd_open") else None


@cache
def code_fingerprint() -> str:
    """This interpreter and the project's code as this process imported it: every module's
    path, size and modification time (a few ms). A server started before an update, or from
    another checkout, has another fingerprint and forks nothing for this load."""
    digest = hashlib.sha256(f"{sys.executable}\0{PROJECT_ROOT}".encode())
    for package in _PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            stat = path.stat()
            digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, user id) of the process at the other end of a Unix socket, as the kernel saw it
    connect (SO_PEERCRED): not what the process says of itself."""
    credentials = struct.Struct("3i")
    pid, uid, _gid = credentials.unpack(
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, credentials.size))
    return int(pid), int(uid)


def qualified_name(function: Callable[..., Any]) -> str:
    """`module:name` of a module-level function, as the server finds it again."""
    return f"{function.__module__}:{function.__qualname__}"


def forked_helpers() -> frozenset[int]:
    """Pids of this process's helpers that a preload server forked (not our children, but
    ours all the same: runtime/processes.py leaves them and what they start alone)."""
    return frozenset(_FORKED_FOR_US)


def resolve(name: str) -> Callable[..., Any]:
    """The function `module:name` names (`qualified_name`)."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def ended(pidfd: int, timeout: float | None) -> bool:
    """Whether the process of `pidfd` has ended, waiting up to `timeout` seconds (None: for
    ever). poll(), not select(): a busy load may hold a pidfd numbered over 1023."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000))))


class ProcessLike(Protocol):
    """multiprocessing's Process, as far as ending one goes; ForkedWorker has the same."""

    def is_alive(self) -> bool: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


def end_process(process: ProcessLike, grace_seconds: float) -> None:
    """SIGTERM, then SIGKILL if it is still there after `grace_seconds`; it has ended then."""
    if process.is_alive():
        process.terminate()
        process.join(grace_seconds)
    if process.is_alive():
        process.kill()
        process.join()


@dataclass
class ForkedWorker:
    """A helper the preload server forked for this process, watched through a pidfd (it is
    not our child: no wait(), no exit code). The names of multiprocessing's Process."""

    pid: int
    pidfd: int
    exitcode: int | None = field(default=None, init=False)

    def is_alive(self) -> bool:
        return self.pidfd >= 0 and not ended(self.pidfd, 0)

    def join(self, timeout: float | None = None) -> None:
        if self.pidfd >= 0:
            ended(self.pidfd, timeout)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(OSError):  # it has ended already
            signal.pidfd_send_signal(self.pidfd, sig)

    def stop(self, grace_seconds: float) -> None:
        """End it (`end_process`) and close the pidfd."""
        end_process(self, grace_seconds)
        self.close()

    def close(self) -> None:
        _FORKED_FOR_US.discard(self.pid)
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


def fork_helper(path: Path, entry: Callable[..., Any], args: Mapping[str, Any], *,
                env: Mapping[str, str] | None = None, cwd: Path | None = None,
                stdout: int = 1, stderr: int = 2,
                fds: Sequence[int] = ()) -> tuple[Connection, ForkedWorker]:
    """Ask the preload server at `path` for a helper serving this process: a child of the
    server that takes `env` and `cwd` (this process's by default), writes to `stdout` and
    `stderr`, and runs `entry(connection, fds, **args)` (a module-level function; `args` as
    JSON). Returns the connection to it and the helper once its entry says READY. Raises
    PreloadUnavailable otherwise (no server, another user's, other code, or a helper that
    could not start): nothing of this load ran there, so the caller spawns its own."""
    if len(fds) > MAX_EXTRA_FDS:
        raise ValueError(f"at most {MAX_EXTRA_FDS} descriptors besides the output")
    ours, theirs = socket.socketpair()
    worker: ForkedWorker | None = None
    connection: Connection | None = None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.settimeout(ANSWER_TIMEOUT_SECONDS)
            server.connect(str(path))
            if peer(server)[1] != os.getuid():
                raise PermissionError(f"{path} is served by another user")
            send(server, {
                "fingerprint": code_fingerprint(), "entry": qualified_name(entry),
                "args": dict(args), "env": dict(os.environ if env is None else env),
                "cwd": str(cwd or os.getcwd()),
            }, fds=[theirs.fileno(), stdout, stderr, *fds])
            theirs.close()  # the helper holds it now: its end is seen at once if it dies
            reply, pidfds = receive(server, max_fds=1)
        if "refused" in reply or len(pidfds) != 1:
            for fd in pidfds:
                os.close(fd)
            raise PermissionError(reply.get("refused", "no pidfd of the helper"))
        worker = ForkedWorker(pid=int(reply["pid"]), pidfd=pidfds[0])
        _FORKED_FOR_US.add(worker.pid)
        connection = Connection(ours.detach())
        if not connection.poll(ANSWER_TIMEOUT_SECONDS) or connection.recv() != READY:
            raise TimeoutError(f"the helper (pid {worker.pid}) did not start")
    except Exception as error:  # whatever it was, the load spawns its own helper
        if worker is not None:
            worker.kill()
            worker.close()
        if connection is not None:
            connection.close()
        ours.close()
        raise PreloadUnavailable(repr(error)) from error
    finally:
        theirs.close()
    return connection, worker

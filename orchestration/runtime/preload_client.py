"""The load's side of the preload server (runtime/preload.py): ask it for a worker, and watch
that worker, which is the server's child, not ours.

Only the standard library: runtime/workers.py imports this for every worker it starts.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from orchestration.runtime.messages import receive, send
from orchestration.runtime.proc import start_time

PRELOAD_ENV = "TUPHAP_PRELOAD"  # the socket of a running preload server
ANSWER_TIMEOUT_SECONDS = 10.0


class PreloadUnavailable(RuntimeError):
    """No preload server answered: the caller starts its worker itself."""


def server_socket(env: Mapping[str, str] = os.environ) -> Path | None:
    """The preload server's socket this process may use (TUPHAP_PRELOAD), if any: Linux only
    (a forked worker and its load watch each other through pidfds)."""
    value = env.get(PRELOAD_ENV, "").strip()
    return Path(value) if value and hasattr(os, "pidfd_open") else None


def qualified_name(function: Callable[..., Any]) -> str:
    """`module:name` of a module-level function, as `resolve` finds it again."""
    return f"{function.__module__}:{function.__qualname__}"


@dataclass
class ForkedWorker:
    """A worker the preload server forked for this process, watched through a pidfd (it is
    not our child: no wait(), no exit code). The names of multiprocessing's Process."""

    pid: int
    pidfd: int
    exitcode: int | None = field(default=None, init=False)

    def is_alive(self) -> bool:
        return self.pidfd >= 0 and not select.select([self.pidfd], [], [], 0)[0]

    def join(self, timeout: float | None = None) -> None:
        if self.pidfd >= 0:
            select.select([self.pidfd], [], [], timeout)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            signal.pidfd_send_signal(self.pidfd, sig)

    def close(self) -> None:
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


def fork_worker(path: Path, *, warm_up: Callable[[], object] | None,
                niceness: int = 0) -> tuple[Connection, ForkedWorker]:
    """Ask the preload server at `path` for a worker serving this process; the connection to
    it and the worker. Raises PreloadUnavailable when no server answers."""
    ours, theirs = socket.socketpair()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.settimeout(ANSWER_TIMEOUT_SECONDS)
            server.connect(str(path))
            send(server, {
                "warm_up": qualified_name(warm_up) if warm_up is not None else None,
                "niceness": niceness, "parent": os.getpid(),
                "parent_started": start_time(os.getpid()), "env": dict(os.environ),
                "cwd": os.getcwd(),
            }, fds=[theirs.fileno()])
            reply, _ = receive(server)
        pid = int(reply["pid"])
        pidfd = os.pidfd_open(pid)
        if start_time(pid) != reply["started"]:  # it ended, and its pid is another's already
            os.close(pidfd)
            raise ProcessLookupError(pid)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as error:
        ours.close()
        raise PreloadUnavailable(f"no answer from the preload server ({error!r})") from error
    finally:
        theirs.close()
    return Connection(ours.detach()), ForkedWorker(pid=pid, pidfd=pidfd)

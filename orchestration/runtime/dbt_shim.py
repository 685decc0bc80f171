"""`tuphap-dbt`: the dbt command dagster-dbt starts during a load, and its protocol with the
warm dbt process (orchestration/runtime/warm_dbt.py).

The shim hands its argv, environment and standard streams to the load's warm process over a
Unix socket (its path in TUPHAP_DBT_WARM_SOCKET; runtime/messages.py), forwards the signals
dagster-dbt sends to cancel, and exits with dbt's exit code. Without a warm process, or one that
died or is not answering, it runs the real `dbt` instead (nothing ran there, so plain dbt is
safe), unless the load that started it has ended meanwhile (killed: its warm process ends with
it), when it runs nothing. dbt runs in the folder TUPHAP_DBT_WORKDIR names, when set: the
DuckDB profile's path is relative to it (runtime/dbt_env.py).

Only the standard library is imported: the shim starts in milliseconds.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from orchestration.runtime.messages import receive, send

SOCKET_ENV = "TUPHAP_DBT_WARM_SOCKET"
WORKDIR_ENV = "TUPHAP_DBT_WORKDIR"  # the folder dbt runs in (runtime/dbt_env.py)
SHIM_NAME = "tuphap-dbt"
READY_TIMEOUT_SECONDS = 600.0  # the shim waits this long for a warm process to answer


def _run_real_dbt(argv: Sequence[str]) -> None:
    real = Path(sys.executable).parent / "dbt"
    os.execv(real, [str(real), *argv])


def client_main(argv: Sequence[str] | None = None) -> int:
    """`tuphap-dbt ARGS`: run `dbt ARGS` in this load's warm process, else as plain dbt."""
    args = list(sys.argv[1:] if argv is None else argv)
    load = os.getppid()  # dagster-dbt's process: the load this build is for (1: gone already)
    if os.environ.get(WORKDIR_ENV):  # dagster-dbt starts dbt in the project; dbt finds it
        os.chdir(os.environ[WORKDIR_ENV])  # through DBT_PROJECT_DIR wherever it runs
    path = os.environ.get(SOCKET_ENV)
    if not path:
        _run_real_dbt(args)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        sock.settimeout(READY_TIMEOUT_SECONDS)
        send(sock, {"argv": args, "env": dict(os.environ), "cwd": os.getcwd()}, fds=[0, 1, 2])
        started, _ = receive(sock)
    except (OSError, EOFError, ValueError):
        sock.close()
        if load == 1 or os.getppid() != load:
            # The load was killed before its warm process answered (which then ended with
            # it): nobody will read or publish this build, so plain dbt must not start one.
            print(f"{SHIM_NAME}: the load that started it has ended; dbt not run",
                  file=sys.stderr)
            return 2
        _run_real_dbt(args)  # nothing ran there: plain dbt is safe
    pid = int(started["pid"])

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    sock.settimeout(None)
    try:
        finished, _ = receive(sock)
    except (OSError, EOFError, ValueError):
        print(f"{SHIM_NAME}: the warm dbt process (pid {pid}) ended without an exit code",
              file=sys.stderr)
        return 2
    return int(finished["exit_code"])


if __name__ == "__main__":
    sys.exit(client_main())

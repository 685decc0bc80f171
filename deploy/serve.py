"""`make serve`: the Dagster webserver and daemon on the instance in DAGSTER_HOME, until Ctrl-C.

    python -m deploy.serve [--host 127.0.0.1] [--port 3000]

The instance is the one `tuphap load` uses (orchestration/runtime/instance.py): DAGSTER_HOME's own
dagster.yaml when it has one (deploy/dagster.yaml: PostgreSQL), else the project's embedded
SQLite instance, `.dagster_home/` unless DAGSTER_HOME names another folder. Both services load
the code location declared in pyproject.toml, so they run from the project's root.

Each service runs in a process group of its own, so a Ctrl-C reaches them once, from here:
SIGINT or SIGTERM to this process sends SIGINT to both (each stops its code server; a load the
daemon started finishes on its own and records its end), waits for them, and kills a service
still running after STOP_TIMEOUT_SECONDS with its process group. When one service ends by
itself the other is stopped too and the exit status is 1. If this process is killed outright,
the kernel sends both services SIGINT (Linux's parent-death signal): nothing is left serving.
A preload server (orchestration/runtime/preload.py) runs beside them for the daemon's loads
(`preload_warm_ups`), stopped with them (and with this process).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration import settings
from orchestration.runtime.preload import PreloadServer
from orchestration.runtime.preload_client import PRELOAD_ENV, qualified_name
from orchestration.runtime.workers import die_with_parent

STOP_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.2


def preload_warm_ups() -> list[str]:
    """What the preload server imports before it forks a load's helpers: Great Expectations
    and pandas for the row rules' worker (~4,5 s of CPU a load), dbt for the warm dbt process
    (~3 s), last: its module map imports what the others import lazily, once in the server
    rather than in each forked dbt process (runtime/dbt_warm_up.py). The test suite runs its
    server with the same."""
    from orchestration.quality.evaluate import warm_up as great_expectations
    from orchestration.runtime.dbt_warm_up import warm_up as dbt

    return [qualified_name(great_expectations), qualified_name(dbt)]


def service_commands(host: str, port: int) -> dict[str, list[str]]:
    """The two services, from this interpreter's environment (`.venv/bin`)."""
    bin_dir = Path(sys.executable).parent
    return {
        "dagster-webserver": [str(bin_dir / "dagster-webserver"), "--host", host,
                              "--port", str(port)],
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run"],
    }


class Supervisor:
    """Start the services, watch them, stop them together."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str], cwd: Path) -> None:
        self.commands, self.env, self.cwd = commands, env, cwd
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_requested: int | None = None  # the signal that asked for it

    def request_stop(self, signum: int, _frame: object = None) -> None:
        self.stop_requested = signum

    def start(self) -> None:
        for name, command in self.commands.items():
            self.processes[name] = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGINT))  # noqa: PLW1509
            print(f"serve: started {name} (pid {self.processes[name].pid})", flush=True)

    def watch(self) -> str | None:
        """Until a stop is requested (None) or a service ends by itself (its name)."""
        while self.stop_requested is None:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return name
            time.sleep(POLL_SECONDS)
        return None

    def stop(self) -> None:
        """SIGINT to each service still running (Dagster's own graceful stop: code servers
        shut down, a load in progress finishes and records its end), then wait; a service
        still running after STOP_TIMEOUT_SECONDS is killed with its whole process group."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"serve: {name} did not stop in {STOP_TIMEOUT_SECONDS:.0f} s; killing it",
                      flush=True)
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            ended = self.watch()
        finally:
            # A second Ctrl-C while stopping must not leave the services half-stopped.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if ended is None and self.processes:
                print("serve: stopping the webserver and the daemon", flush=True)
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if ended is not None:
            code = self.processes[ended].returncode
            print(f"serve: {ended} ended by itself (exit status {code}); stopped the other",
                  file=sys.stderr, flush=True)
            return 1
        print("serve: stopped", flush=True)
        return 0


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="where the webserver listens (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    settings.disable_telemetry()
    # Imported here: they import Dagster, which the Supervisor itself does not need.
    from orchestration.automation.jobs import warehouse_tag_value
    from orchestration.runtime.instance import dagster_home, describe_instance

    home = dagster_home()  # DAGSTER_HOME, set for the services; the instance made if new
    print(f"serve: Dagster instance {describe_instance(home)}", flush=True)
    # The warehouse as its tag names it: a server URL without its password.
    print(f"serve: inbox {settings.inbox_path()}, warehouse "
          f"{warehouse_tag_value(settings.warehouse_address())}", flush=True)
    print(f"serve: the UI at http://{args.host}:{args.port}; Ctrl-C stops both services",
          flush=True)
    # Each load the daemon runs gets its Great Expectations worker and its warm dbt process
    # forked from here, with the imports done: orchestration/runtime/preload.py. Ready before
    # the daemon's first load; if it is not, loads start their own.
    preload = PreloadServer.start(warm_ups=preload_warm_ups(), log_path=home / "preload.log")
    if preload.wait_ready():
        print(f"serve: preload server (pid {preload.process.pid}) for the loads' helpers; a "
              f"`tuphap load` by hand uses it with TUPHAP_PRELOAD={preload.socket_path}",
              flush=True)
    else:
        print(f"serve: the preload server did not start (see {home / 'preload.log'}); each "
              "load starts its own helpers", flush=True)
    try:
        return Supervisor(service_commands(args.host, args.port),
                          {**os.environ, PRELOAD_ENV: str(preload.socket_path)},
                          settings.PROJECT_ROOT).run()
    finally:
        preload.stop()


if __name__ == "__main__":
    sys.exit(main())

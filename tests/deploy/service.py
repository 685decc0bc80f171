"""The service as the tests run it: `python -m deploy.serve` (dagster-webserver and
dagster-daemon) on a Dagster instance in a fresh PostgreSQL database (deploy/dagster.yaml in a
temporary DAGSTER_HOME), a DuckDB warehouse and an inbox in a temporary folder; and what the
tests ask of it, through the webserver's GraphQL API as the UI does: runs, their events, the
inbox sensor's ticks."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import sql

from orchestration.settings import TELEMETRY_OFF
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_YAML = ROOT / "deploy" / "dagster.yaml"
TUPHAP = [sys.executable, "-m", "orchestration.cli"]
SENSOR = {"repositoryLocationName": "tuphap", "repositoryName": "__repository__",
          "sensorName": "inbox_sensor"}
START_TIMEOUT = 180.0
RUN_TIMEOUT = 300.0
PORT_ATTEMPTS = 3
# What the daemon's run queue logs each time it looks at the queued runs (every 2 s while one
# waits: deploy/dagster.yaml's dequeue_interval_seconds).
QUEUE_LOOK = "Priority sorting and checking tag concurrency limits for queued runs."

RUNS = """
query Runs($filter: RunsFilter) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId status creationTime endTime tags { key value } } }
  }
}"""
STEPS = """
query Steps($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status creationTime startTime endTime tags { key value }
                 stepStats { stepKey status } }
  }
}"""
RUN = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      runId status creationTime startTime endTime tags { key value }
      assetMaterializations { assetKey { path } }
      eventConnection(limit: 5000) {
        events { __typename ... on MessageEvent { message stepKey eventType } }
      }
    }
  }
}"""
TICKS = """
query Ticks($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status ticks(limit: 50) {
      status timestamp runIds skipReason } } }
  }
}"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
TERMINATE = """
mutation Terminate($runId: String!) {
  terminateRun(runId: $runId) {
    __typename
    ... on TerminateRunSuccess { run { runId status } }
    ... on TerminateRunFailure { message }
    ... on PythonError { message }
  }
}"""
DAEMONS = """
query { instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def instance_database(server: PostgresServer, hint: str) -> tuple[str, dict[str, str]]:
    """A fresh database owned by a role of its own with a password, as a data team would give
    Dagster: the superuser's URL of it (for the tests' own queries) and the DAGSTER_PG_*
    variables deploy/dagster.yaml reads."""
    database = server.create_database(hint)
    role, password = f"dagster_{database}"[:60], secrets.token_hex(12)
    with server.connect() as con:
        con.execute(sql.SQL("create role {} login password {}").format(
            sql.Identifier(role), sql.Literal(password)))
        con.execute(sql.SQL("alter database {} owner to {}").format(
            sql.Identifier(database), sql.Identifier(role)))
    return server.url(database), {
        "DAGSTER_PG_USERNAME": role, "DAGSTER_PG_PASSWORD": password,
        "DAGSTER_PG_HOST": server.host, "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_DB": database,
    }


def service_env(base: Path, instance: dict[str, str]) -> dict[str, str]:
    """The environment of the CLI and the services: nothing TUPHAP_* or DAGSTER_* inherited; a
    DAGSTER_HOME holding deploy/dagster.yaml; the warehouse and inbox in `base`."""
    home = base / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUPHAP_", "DAGSTER_"))}
    env.update(instance)
    env.update({
        "DAGSTER_HOME": str(home),
        "TUPHAP_WAREHOUSE": str(base / "warehouse" / "tuphap.duckdb"),
        "TUPHAP_INBOX": str(base / "inbox"),
        "TUPHAP_ALERT_LOG": str(base / "warehouse" / "alerts.log"),
        "PYTHONIOENCODING": "utf-8",
        **TELEMETRY_OFF,
    })
    return env


def wait_until(condition: Callable[[], Any], what: str, timeout: float,
               on_timeout: Callable[[], str] = lambda: "", interval: float = 0.5) -> Any:
    """Poll until `condition()` returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout:.0f} s\n{on_timeout()}")
        time.sleep(interval)


@dataclass
class RunningService:
    """`python -m deploy.serve` in a process of its own, its output in `log`."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int

    @classmethod
    def start(cls, env: dict[str, str], log: Path) -> RunningService:
        port = free_port()
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "deploy.serve", "--port", str(port)], cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        return cls(process, log, port)

    @classmethod
    def start_ready(cls, env: dict[str, str], log: Path) -> RunningService:
        """Start the service and wait until it is ready; again on another port if the one
        chosen was taken before the webserver bound it (another test run's server may take a
        free port in those seconds). Stopped again if it never gets ready."""
        for _attempt in range(PORT_ATTEMPTS):
            running = cls.start(env, log)
            try:
                running.wait_until_ready()
                return running
            except AssertionError:
                taken = running.process.poll() is not None and \
                    "address already in use" in running.log_tail().lower()
                running.stop()
                if not taken:
                    raise
        raise AssertionError(f"no free port for the webserver in {PORT_ATTEMPTS} attempts")

    def log_tail(self, chars: int = 6000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            body = json.loads(response.read())
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/server_info",
                                        timeout=5) as response:
                return response.status == 200
        except (OSError, http.client.HTTPException):  # not (yet) a web server on the port
            return False

    def daemons_healthy(self) -> bool:
        statuses = self.graphql(DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
        required = [s for s in statuses if s["required"]]
        return bool(required) and all(s["healthy"] for s in required)

    def runs(self, tags: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Runs, newest first; only those carrying `tags` when given."""
        filter_ = {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}
        return self.graphql(RUNS, {"filter": filter_})["runsOrError"]["results"]

    def run(self, run_id: str, *, events: bool = True) -> dict[str, Any]:
        """A run: status, tags and its steps; with `events`, also its materialisations and
        every event (a heavier query: not for polling)."""
        return self.graphql(RUN if events else STEPS, {"runId": run_id})["runOrError"]

    def launch(self, tags: dict[str, str]) -> str:
        """Launch the load job as a person does in the UI's launchpad; its run id."""
        params = {"selector": {**{k: SENSOR[k] for k in ("repositoryLocationName",
                                                          "repositoryName")},
                               "jobName": "load_warehouse"},
                  "runConfigData": {},
                  "executionMetadata": {"tags": [{"key": k, "value": v}
                                                 for k, v in tags.items()]}}
        launched = self.graphql(LAUNCH, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return launched["run"]["runId"]

    def terminate(self, run_id: str) -> None:
        """Terminate a run as the UI's button does (a queued run is taken off the queue)."""
        done = self.graphql(TERMINATE, {"runId": run_id})["terminateRun"]
        assert done["__typename"] == "TerminateRunSuccess", done

    def queue_looks(self) -> int:
        """How many times the daemon's run queue has looked at waiting runs so far."""
        return self.log.read_text(encoding="utf-8", errors="replace").count(QUEUE_LOOK)

    def ticks(self) -> list[dict[str, Any]]:
        """The inbox sensor's ticks, newest first."""
        sensor = self.graphql(TICKS, {"selector": SENSOR})["sensorOrError"]
        assert sensor["__typename"] == "Sensor", sensor
        return sensor["sensorState"]["ticks"]

    def wait_until(self, condition: Callable[[], Any], what: str,
                   timeout: float = RUN_TIMEOUT) -> Any:
        def check() -> Any:
            if self.process.poll() is not None:
                raise AssertionError(f"the service ended (exit status {self.process.returncode})"
                                     f" before {what}:\n{self.log_tail()}")
            return condition()

        return wait_until(check, what, timeout, self.log_tail)

    def wait_until_ready(self) -> None:
        self.wait_until(self.answers, "answer from the webserver", START_TIMEOUT)
        self.wait_until(self.daemons_healthy, "healthy daemons", START_TIMEOUT)
        self.wait_until(self.ticks, "tick of the inbox sensor", START_TIMEOUT)

    def stop(self, timeout: float = RUN_TIMEOUT) -> int:
        """Ctrl-C, as a person stops `make serve`: SIGINT to the supervisor only."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()  # the services then get SIGINT from the kernel (serve.py)
            self.process.wait()
            raise AssertionError(f"the service did not stop in {timeout:.0f} s:\n"
                                 f"{self.log_tail()}") from None


def worker_pid(run: dict[str, Any]) -> int | None:
    """The run worker's process id, from the run's engine events ("… (pid: 1234)")."""
    for event in run["eventConnection"]["events"]:
        found = re.search(r"\(pid: (\d+)\)", event.get("message") or "")
        if found:
            return int(found.group(1))
    return None


def step_started(run: dict[str, Any], step: str) -> bool:
    """Whether the run (as `RunningService.run(..., events=False)` gives it) began `step`."""
    return any(stats["stepKey"] == step for stats in run["stepStats"])


def tags_of(run: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


def processes_with(entry: bytes) -> dict[int, str]:
    """Running processes (not zombies) whose environment holds `entry` (b"KEY=value"): pid ->
    command line."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if entry in environ and stat[stat.rindex(")") + 2] != "Z":
            found[int(proc.name)] = command
    return found

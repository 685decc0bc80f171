"""A real `tuphap load` as a measured process, in a run folder of its own: the environment a
load runs in (telemetry off), the yearly reports it leaves, when it published."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import inputs
from benchmarks.measure import DEFAULT_TIMEOUT, ProcessRun, measure_command
from benchmarks.milestones import milestones
from benchmarks.report import memory, seconds
from benchmarks.results import Measurement
from orchestration.settings import TELEMETRY_OFF

Log = Callable[[str], None]


def load_env(workdir: Path) -> dict[str, str]:
    """The environment of a measured load: nothing TUPHAP_* inherited (no alert channels, no
    other warehouse), a private DAGSTER_HOME and alert log, telemetry off."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TUPHAP_") and k != "DAGSTER_HOME"}
    env.update(TELEMETRY_OFF)
    env["DAGSTER_HOME"] = str(workdir / "dagster_home")
    env["TUPHAP_ALERT_LOG"] = str(workdir / "alerts.log")
    env["PYTHONIOENCODING"] = "utf-8"
    (workdir / "dagster_home").mkdir(parents=True, exist_ok=True)
    return env


def telemetry_off() -> None:
    """Telemetry off for this process too (the floor imports dbt and Dagster code)."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


def measure_load(inbox: Path, workdir: Path, *, scope: str,
                 timeout: float = DEFAULT_TIMEOUT, warehouse: str | None = None,
                 env: dict[str, str] | None = None) -> ProcessRun:
    """`tuphap load` of `inbox` as a separate process: into `warehouse` (a PostgreSQL URL), by
    default `workdir`/warehouse/tuphap.duckdb. Then, untimed, the yearly reports it left in the
    background are waited for, and when it published and they were there is read from its
    Dagster instance (milestones.py)."""
    inbox, workdir = inbox.resolve(), workdir.resolve()  # the child runs in the project root
    if warehouse is None:
        warehouse_of(workdir).parent.mkdir(parents=True, exist_ok=True)
        warehouse = str(warehouse_of(workdir))
    argv = [*inputs.tuphap_command(), "load", "--inbox", str(inbox), "--warehouse", warehouse,
            "--scope", scope]
    run = measure_command(argv, env=env or load_env(workdir), cwd=inputs.PROJECT_ROOT,
                          timeout=timeout)
    after = wait_for_background_reports(run.stdout, timeout=timeout)
    if after is not None:
        run.extra["reports_ready_seconds_after_return"] = round(after, 2)
    if run.ok:
        try:
            run.extra.update(milestones(workdir / "dagster_home", run.stdout, run.started_at))
        except Exception as exc:  # noqa: BLE001 - the run stands; its milestone checks fail
            run.extra["milestones_error"] = f"{type(exc).__name__}: {exc}"
    return run


# The load summary's line on the reports it left being made (orchestration/cli/summary.py).
_BACKGROUND = re.compile(r"in the background \(pid (\d+)\)")


def wait_for_background_reports(stdout: str, *, timeout: float) -> float | None:
    """Wait (untimed for the load) for the yearly reports a load left being made in the
    background, so the next measurement does not share the cores with them; return how many
    seconds after the load returned they were there (None: it started none)."""
    found = _BACKGROUND.search(stdout)
    if found is None:
        return None
    stat = Path(f"/proc/{found.group(1)}/stat")
    started, deadline = time.monotonic(), time.monotonic() + timeout
    # A zombie ('Z') has ended: the load that started it does not reap it once it exits.
    while stat.exists() and stat.read_text().rpartition(")")[2].split()[:1] != ["Z"]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return time.monotonic() - started


def warehouse_of(workdir: Path) -> Path:
    return workdir / "warehouse" / "tuphap.duckdb"


def workdir(root: Path, name: str, *, first: bool = False) -> Path:
    """The folder of a run: one per measurement, the same for each of its runs and emptied
    before each, but for the Dagster instance.

    Like a data team's warehouse, it keeps its location and its Dagster instance from one load
    to the next. The `first` run of a measurement pays what a new location costs once (a new
    instance): it is reported apart as `cold_run_seconds`. dbt's saved parse is not forgotten:
    every DuckDB warehouse of one file name shares it (runtime/dbt_env.py), a new location too.
    """
    folder = root / name
    if first:
        shutil.rmtree(folder / "dagster_home", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.name == "dagster_home":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    return folder


def clean_up(folder: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def record(measurement: Measurement, run: ProcessRun, **extra: object) -> None:
    """Add a run to its measurement; a failed run also adds an error with its stderr's tail."""
    entry = {**run.as_json(), "ok": run.ok, **extra}
    measurement.runs.append(entry)
    if not run.ok:
        what = "timed out" if run.timed_out else f"exit code {run.exit_code}"
        tail = run.stderr_tail.strip().splitlines()[-5:]
        measurement.errors.append(f"run {len(measurement.runs)} {what}: " + " | ".join(tail))


def repeated_loads(m: Measurement, source: Path, folder: Path, *, scope: str, runs: int,
                   timeout: float, keep: bool, log: Log, what: str) -> None:
    """`runs` loads of `source` into an empty warehouse in `folder` (see workdir), recorded
    in `m`; stops at the first failed run. (a) has its own loop: a correction follows each."""
    label = m.key.split("_")[0]
    for i in range(runs):
        run_dir = workdir(folder.parent, folder.name, first=i == 0)
        inbox = inputs.link_inbox(source, run_dir / "inbox")
        log(f"({label}) run {i + 1}/{runs}: {what}")
        run = measure_load(inbox, run_dir, scope=scope, timeout=timeout)
        record(m, run)
        log(f"    {seconds(run.seconds)} s, tree peak {memory(run.tree_peak_kib)}")
        if m.errors:
            break
    clean_up(folder, keep)

"""`tuphap reports-after-load`: the yearly reports of a `tuphap load`, made after it returns.

`tuphap load` returns once the warehouse is published: the person waits for the warehouse,
not for ten PDFs. Just before it returns it starts this command in a background process of
its own session (it outlives the load, and a Ctrl-C at the prompt does not reach it), which
runs the `make_yearly_reports` job in-process on the same Dagster instance: the same asset,
run and tags as the service's `reports_after_load` sensor asks for
(orchestration/automation/reports.py). The load's summary names the run, the folder and the
log. Not meant to be typed: `tuphap report --year N` writes one year's report at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestration import settings
from orchestration.cli.failure import EXIT_FAILED, EXIT_OK, fail
from orchestration.cli.signals import sigterm_kept
from orchestration.runtime.instance import dagster_home
from orchestration.warehouse.engine import WarehouseEngine

COMMAND = "reports-after-load"
# About how long the reports take once the load returned: the process starts (Dagster, the
# report's libraries: ~6 s on the 2-core machine), then about a second a year (measured on the
# demo: 8 years in ~11 s beside other work; `make bench` (g)).
START_SECONDS, SECONDS_A_YEAR = 6, 1


@dataclass(frozen=True)
class BackgroundReports:
    """The reports run a load started: what the load's summary says about it."""

    years: tuple[int, ...]
    folder: Path
    run_id: str
    pid: int
    log: Path

    @property
    def expected_seconds(self) -> int:
        return START_SECONDS + SECONDS_A_YEAR * len(self.years)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        COMMAND, help="(started by `tuphap load`) write the yearly reports of a finished load")
    parser.add_argument("--load-run", required=True, help="the load's Dagster run id")
    parser.add_argument("--run-id", required=True, help="the Dagster run id to give this run")
    parser.add_argument("--years", required=True, help="comma-separated, e.g. 2016,2020")
    parser.add_argument("--warehouse", required=True, help=settings.WAREHOUSE_HELP)
    parser.add_argument("--scope", required=True, choices=settings.SCOPES)
    return parser


def start(*, load_run_id: str, years: Sequence[int], engine: WarehouseEngine, scope: str,
          folder: Path) -> BackgroundReports | None:
    """Start the reports run of a load that brought `years`, in the background; None when it
    brought none."""
    if not years:
        return None
    run_id = str(uuid.uuid4())
    log = engine.logs_dir / "reports.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "orchestration.cli", COMMAND, "--load-run", load_run_id,
            "--run-id", run_id, "--years", ",".join(map(str, sorted(years))),
            "--warehouse", engine.address, "--scope", scope]
    with open(log, "ab") as output:
        process = subprocess.Popen(args, cwd=settings.PROJECT_ROOT, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=dict(os.environ))
    return BackgroundReports(tuple(sorted(years)), folder, run_id, process.pid, log)


def run(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.automation.jobs import REPORTS_JOB_NAME, warehouse_tag_value
    from orchestration.automation.reports import report_run

    years = [int(year) for year in args.years.split(",") if year.strip()]
    dagster_home()
    from orchestration.definitions import defs

    planned = report_run(load_run_id=args.load_run, years=years,
                         warehouse_tag=warehouse_tag_value(args.warehouse),
                         warehouse_config={"path": args.warehouse, "scope": args.scope},
                         trigger="cli")
    if planned is None:
        return EXIT_OK
    print(f"=== yearly reports of {args.years} after load run {args.load_run}", flush=True)
    with dg.DagsterInstance.get() as instance, sigterm_kept():
        result = defs.resolve_job_def(REPORTS_JOB_NAME).execute_in_process(
            run_config=planned.run_config, instance=instance, tags=planned.tags,
            run_id=args.run_id, raise_on_error=False)
    if not result.success:
        return fail(COMMAND, f"the reports run {args.run_id} failed; see its log in the UI")
    print(f"=== done: run {args.run_id}", flush=True)
    return EXIT_OK if result.success else EXIT_FAILED

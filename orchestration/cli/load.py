"""`tuphap load`: run the load job in-process on the persistent Dagster instance, then print
the summary.

It materialises the same Dagster job a schedule or the sensor runs (no second code path),
recorded in the persistent Dagster instance so the run shows in `dagster dev`.

Before Dagster loads the code location, the dbt manifest is prepared if it is missing or older
than the dbt project (orchestration/dbt/project.py). On a terminal the load shows its progress
(cli/progress.py): the run's steps come from the Dagster run's own events, which the instance
hands to a listener in this process as they are stored.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import uuid
from pathlib import Path
from typing import TextIO

from ingest.errors import TuphapError
from orchestration import progress, settings
from orchestration.cli.failure import EXIT_OK, fail
from orchestration.cli.progress import showing, terminal_stream
from orchestration.cli.signals import sigterm_kept
from orchestration.cli.summary import LoadSummary
from orchestration.runtime.instance import dagster_home
from orchestration.warehouse.engine import WarehouseEngine


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser("load",
                                 help="ingest the inbox, build the warehouse, run checks")
    parser.add_argument("--inbox", help="folder of report files (TUPHAP_INBOX; data/inbox)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    parser.add_argument("--years", help="reporting years to load, e.g. 2018-2025 (default: all)")
    parser.add_argument("--scope", choices=settings.SCOPES,
                        help="which units are expected and accepted (TUPHAP_SCOPE; cluster)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for a running load instead of refusing at once")
    parser.add_argument("--full-summary", action="store_true",
                        help="national scope: print the whole unit-by-year table and every "
                             "rejected file and skipped inbox entry (the default fits one "
                             "screen)")
    return parser


def run(args: argparse.Namespace) -> int:
    from orchestration.dbt.warm_start import start_warm_dbt
    from orchestration.runtime.warm_dbt import ORIGIN_ENV, SOCKET_ENV
    from orchestration.warehouse.engine import engine_for
    from orchestration.warehouse.errors import WarehouseUnreachableError

    try:
        engine = engine_for(settings.warehouse_address(args.warehouse))
        inbox = settings.inbox_path(args.inbox)
        scope = settings.scope(args.scope)
        reports_after = settings.yearly_reports_after_load()
        # Reach the warehouse first: a wrong password, an unreachable server or a missing
        # database is said as such (one line naming them), never as a load that broke off.
        engine.exists()
    except (ValueError, WarehouseUnreachableError) as error:
        return fail("load failed", error)
    # dbt imports and parses on the other core while this process imports Dagster and
    # ingests; the run's dbt resource uses this warm process (orchestration/runtime/warm_dbt.py).
    warm_dbt = start_warm_dbt(engine, scope)
    os.environ.update({SOCKET_ENV: str(warm_dbt.socket_path), ORIGIN_ENV: warm_dbt.origin})
    try:
        summary = run_load(
            engine=engine, inbox=inbox, scope=scope, years=args.years,
            wait_seconds=args.wait, trigger="cli", progress_to=terminal_stream(),
        )
    except (LoadError, ValueError) as error:
        return fail("load failed", error)
    finally:
        for name in (SOCKET_ENV, ORIGIN_ENV):
            os.environ.pop(name, None)
        warm_dbt.stop()
    from orchestration.cli import reports
    from orchestration.cli.summary import format_summary
    from orchestration.report.folder import default_out_dir

    # The warehouse is published: the reports of the years it brought are made after this
    # command returns, in a background process (cli/reports.py), not on the load's path.
    if reports_after:
        summary.yearly_reports = reports.start(
            load_run_id=summary.run_id or "", years=summary.years_loaded, engine=engine,
            scope=scope, folder=default_out_dir(engine))
    else:
        summary.yearly_reports_off = True

    print(format_summary(summary, full=args.full_summary))
    return EXIT_OK


class LoadError(TuphapError, RuntimeError):
    """The load itself failed (not a quality finding): the CLI exits non-zero."""


def run_config(*, warehouse: str, inbox: Path, scope: str, wait_seconds: float) -> dict:
    """Resource configuration of one run: the CLI's flags, as the UI's launchpad would set."""
    return {
        "resources": {
            "warehouse": {"config": {"path": warehouse, "scope": scope,
                                     "lock_timeout_seconds": wait_seconds}},
            "inbox": {"config": {"path": str(inbox)}},
        },
        # The summary is what the data team reads; every event stays in the Dagster UI.
        "loggers": {"console": {"config": {"log_level": os.environ.get(
            "TUPHAP_LOG_LEVEL", "CRITICAL").upper()}}},
    }


def _failure_message(result) -> str:  # noqa: ANN001 - ExecuteInProcessResult
    for event in result.all_events:
        if event.is_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            # Dagster wraps the real error (e.g. "another load is running"): unwrap it.
            while error is not None and error.cause is not None and error.cls_name and \
                    error.cls_name.startswith("Dagster"):
                error = error.cause
            if error is not None:
                return error.message.strip().splitlines()[-1]
        if event.event_type_value == "RUN_FAILURE" and event.message:
            return event.message
    return "the Dagster run failed (see `make dev` for the run's logs)"


def _unreachable(engine: WarehouseEngine) -> str | None:
    """Why a failed load's warehouse server cannot be reached, if it cannot (the server
    stopped or the network dropped mid-load: `run` reached it before the load started): the
    client's own last message (dbt's, libpq's second line) would not name the server."""
    from orchestration.warehouse.errors import WarehouseUnreachableError

    try:
        engine.exists()
    except WarehouseUnreachableError as error:
        return f"the warehouse server stopped answering during the load: {error}"
    return None


def _show_step(event) -> None:  # noqa: ANN001 - Dagster's EventLogEntry
    """The instance's listener of the run's events: a step starting moves the progress on."""
    dagster_event = event.dagster_event
    if dagster_event is not None and dagster_event.event_type_value == "STEP_START" \
            and event.step_key:
        progress.report("step", detail=event.step_key)


def run_load(
    *, engine: WarehouseEngine, inbox: Path, scope: str, years: str | None,
    wait_seconds: float, trigger: str, progress_to: TextIO | None = None,
) -> LoadSummary:
    """Run the load job; show its progress on `progress_to` (a terminal) while it runs."""
    with showing(progress_to):
        return _run_load(engine=engine, inbox=inbox, scope=scope, years=years,
                         wait_seconds=wait_seconds, trigger=trigger)


def _run_load(
    *, engine: WarehouseEngine, inbox: Path, scope: str, years: str | None,
    wait_seconds: float, trigger: str,
) -> LoadSummary:
    import dagster as dg

    from orchestration.dbt.project import prepare_if_stale
    from orchestration.partitions import parse_years, range_tags, years_partitions

    keys = years_partitions.get_partition_keys()
    first, last = parse_years(years) if years else (keys[0], keys[-1])
    dagster_home()
    prepare_if_stale()
    # The run's configuration carries the address without its password; the run, in this
    # process, finds it where libpq looks (PGPASSWORD).
    os.environ.update(engine.credentials_environment())
    from orchestration.automation.jobs import LOAD_JOB_NAME, warehouse_tags
    from orchestration.definitions import defs

    job = defs.resolve_job_def(LOAD_JOB_NAME)
    # dbt's console output goes to a log file: the summary is what the data team reads.
    log_path = engine.logs_dir / "loads.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # Appended, not truncated: a refused load must not wipe the running load's log.
    with (dg.DagsterInstance.get() as instance, open(log_path, "a", encoding="utf-8") as log,
          contextlib.redirect_stdout(log), sigterm_kept()):
        print(f"=== tuphap load, years {first}-{last}, scope {scope}", flush=True)
        run_id = str(uuid.uuid4())  # known before the run starts, to listen to its events
        instance.add_event_listener(run_id, _show_step)
        result = job.execute_in_process(
            run_config=run_config(warehouse=engine.address, inbox=inbox, scope=scope,
                                  wait_seconds=wait_seconds),
            instance=instance,
            # tuphap/warehouse: a queued run of this warehouse waits for this one (dagster.yaml)
            tags={**range_tags(first, last), **warehouse_tags(engine.address),
                  "tuphap/trigger": trigger},
            raise_on_error=False,
            run_id=run_id,
        )
    if not result.success:
        raise LoadError(f"{_unreachable(engine) or _failure_message(result)}"
                        f" (run log: {log_path})")
    summary = read_summary(result, engine=engine, scope=scope, years=(first, last))
    summary.log_path = log_path
    return summary


def _metadata(result, node: str) -> dict:  # noqa: ANN001
    """Metadata of the node's richest materialization (a multi-asset yields several)."""
    best: dict = {}
    for materialization in result.asset_materializations_for_node(node):
        metadata = {key: value.value for key, value in materialization.metadata.items()}
        if len(metadata) > len(best):
            best = metadata
    return best


def read_summary(result, *, engine: WarehouseEngine, scope: str,  # noqa: ANN001
                 years: tuple[str, str]) -> LoadSummary:
    from ingest.reference import load_registry
    from orchestration.cli.summary import (
        expected_forms,
        read_coverage,
        read_open_issues,
        reader_hint,
    )

    raw = _metadata(result, "raw_reports")
    alerts = _metadata(result, "quality_alerts")
    published = _metadata(result, "published_warehouse")
    summary = LoadSummary(
        warehouse=engine.address, reader_hint=reader_hint(engine), scope=scope, years=years,
        new_loaded=list(raw.get("loaded") or []), new_rejected=list(raw.get("rejected") or []),
        new_decisions=list(raw.get("decisions") or []),
        skipped=list(raw.get("skipped") or []),
        accepted_files_total=int(raw.get("accepted_files_total") or 0),
        rejected_files_total=int(raw.get("rejected_files_total") or 0),
        new_issues=dict(alerts.get("new_issues_by_severity") or {}),
        alert_channels=dict(alerts.get("channels") or {}),
        dagster_home=dagster_home(), run_id=result.run_id,
        years_loaded=[int(year) for year in published.get("years_loaded") or []],
        unit_messages=str(_metadata(result, "unit_messages").get("summary") or ""),
    )
    with engine.read_only() as con:
        summary.coverage = read_coverage(con)
        summary.open_issues = read_open_issues(con)
    summary.expected = expected_forms(load_registry(), scope,
                                      {year for _, year, _ in summary.coverage})
    return summary

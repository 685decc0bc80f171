"""`tuphap remind [--dry-run] [--as-of ISO]`: the deadline and open-error reminders due today,
sent (or listed) by the same Dagster job the daily schedule runs (`remind_units`)."""

from __future__ import annotations

import argparse
import os

from orchestration import settings
from orchestration.cli.failure import fail
from orchestration.cli.signals import sigterm_kept


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "remind", help="send the reminders due today to units (deadlines, open errors)")
    parser.add_argument("--dry-run", action="store_true",
                        help="list what is due, send nothing and record nothing")
    parser.add_argument("--as-of", default="",
                        help="remind as of this moment (ISO, e.g. 2026-12-08T08:00+07:00): "
                             "catching up a missed day")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


def run(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.automation.jobs import REMINDERS_JOB_NAME
    from orchestration.runtime.instance import dagster_home
    from orchestration.warehouse.engine import engine_for

    try:
        engine = engine_for(settings.warehouse_address(args.warehouse))
    except ValueError as error:
        return fail("remind", error)
    if not engine.exists():
        return fail("remind", f"no warehouse at {engine.address}; run `tuphap load` first")
    dagster_home()
    os.environ.update(engine.credentials_environment())
    from orchestration.definitions import defs

    job = defs.resolve_job_def(REMINDERS_JOB_NAME)
    with dg.DagsterInstance.get() as instance, sigterm_kept():
        result = job.execute_in_process(
            run_config={
                "ops": {"unit_reminders": {"config": {"as_of": args.as_of,
                                                      "dry_run": args.dry_run}}},
                "resources": {"warehouse": {"config": {"path": engine.address}}},
                "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            },
            instance=instance, raise_on_error=False, tags={"tuphap/trigger": "cli"})
    if not result.success:
        return fail("remind", f"the reminder run failed (run {result.run_id} in the Dagster UI)")
    (materialization,) = result.asset_materializations_for_node("unit_reminders")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    if args.dry_run:
        due = list(metadata.get("due") or [])
        print(f"{len(due)} reminder(s) due (dry run: nothing sent)")
        for message in due:
            print(f"  {message['unit']}: {message['subject']}"
                  f" ({message['recipients']} recipient(s))")
    print(metadata.get("summary") or "")
    return 0

"""The load job: every asset but the reports, in one process, for a range of reporting years;
and the reports' job, which makes the yearly reports after a load's publish.

Every run of the load job carries the tag `tuphap/warehouse`, the address of the warehouse it
loads (without a password): the service's instance (deploy/dagster.yaml) lets one run per value of
that tag be in progress, so the sensor, the schedule and a person in the UI never start two
loads of one warehouse. The job's own tag is the warehouse of the environment (TUPHAP_WAREHOUSE,
read when the code location is assembled: `load_job()`, called by definitions.py, never at
import); `tuphap load` tags its run with the warehouse it was given.
"""

from __future__ import annotations

import dagster as dg

from orchestration import settings
from orchestration.runtime.instance import REPORTS_TAG, WAREHOUSE_TAG

__all__ = ["LOAD_JOB_NAME", "REMINDERS_JOB_NAME", "REPORTS_JOB_NAME", "REPORTS_TAG",
           "WAREHOUSE_TAG", "load_job", "remind_job", "reports_job", "warehouse_tag_value",
           "warehouse_tags"]

LOAD_JOB_NAME = "load_warehouse"
REPORTS_JOB_NAME = "make_yearly_reports"
REPORTS_ASSET = "yearly_reports"
# REPORTS_TAG: the reports' runs of one warehouse, one at a time (deploy/dagster.yaml), apart
# from its loads': a reports run never holds the next load in the queue.
REMINDERS_JOB_NAME = "remind_units"
REMINDERS_ASSET = "unit_reminders"


def warehouse_tag_value(address: str) -> str:
    """One warehouse, one value: its engine's address (a DuckDB file's absolute path, or a
    server URL without its password), without connection options (`?sslmode=...`)."""
    from orchestration.warehouse.engine import engine_for

    engine = engine_for(address)
    return engine.address.split("?", 1)[0] if engine.kind == "postgres" else engine.address


def warehouse_tags(address: str | None = None) -> dict[str, str]:
    """The run tag that keeps loads of one warehouse apart (default: the environment's)."""
    return {WAREHOUSE_TAG: warehouse_tag_value(settings.warehouse_address(address))}


def load_job() -> dg.UnresolvedAssetJobDefinition:
    """The load job, tagged with the environment's warehouse."""
    return dg.define_asset_job(
        LOAD_JOB_NAME,
        # Everything but the yearly reports (the load's critical path ends at the publish:
        # they are made after it in a run of their own, `reports_job`) and the daily
        # reminders (`remind_job`).
        selection=dg.AssetSelection.all()
        - dg.AssetSelection.assets(REPORTS_ASSET, REMINDERS_ASSET),
        # One process: the warehouse build copy and its lock belong to the run, and
        # subprocesses per step buy nothing on a single DuckDB file.
        executor_def=dg.in_process_executor,
        # `tags`, not `run_tags`: Dagster puts a job's tags on every run of it (the sensor's,
        # the schedule's) and also on a run launched from the UI, which gets no `run_tags`.
        tags=warehouse_tags(),
        description=(
            "Ingest the inbox for the selected reporting years, rebuild the warehouse with dbt, "
            "run every quality rule, send alerts and publish atomically. The yearly reports "
            "of the years it brought follow in a run of make_yearly_reports."
        ),
    )


def remind_job() -> dg.UnresolvedAssetJobDefinition:
    """The reminders of the day (orchestration/correspondence): no load, so never queued
    behind one; it only reads the published warehouse and writes its private store."""
    return dg.define_asset_job(
        REMINDERS_JOB_NAME,
        selection=dg.AssetSelection.assets(REMINDERS_ASSET),
        executor_def=dg.in_process_executor,
        description="Send the deadline reminders and open-error reminders due today.",
    )


def reports_job() -> dg.UnresolvedAssetJobDefinition:
    """The yearly reports of a load's years, after its publish (orchestration/report)."""
    return dg.define_asset_job(
        REPORTS_JOB_NAME,
        selection=dg.AssetSelection.assets(REPORTS_ASSET),
        executor_def=dg.in_process_executor,
        tags={REPORTS_TAG: warehouse_tags()[WAREHOUSE_TAG]},
        description=("Write the yearly reports (HTML, PDF, workbook) of the years a load "
                     "brought, from the published warehouse; unchanged ones are kept."),
    )

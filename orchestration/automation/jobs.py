"""The one load job: every asset, in one process, for a range of reporting years."""

from __future__ import annotations

import dagster as dg

LOAD_JOB_NAME = "load_warehouse"

load_job = dg.define_asset_job(
    LOAD_JOB_NAME,
    selection=dg.AssetSelection.all(),
    # One process: the warehouse build copy and its lock belong to the run, and
    # subprocesses per step buy nothing on a single DuckDB file.
    executor_def=dg.in_process_executor,
    description=(
        "Ingest the inbox for the selected reporting years, rebuild the warehouse with dbt, "
        "run every quality rule, send alerts and publish atomically."
    ),
)

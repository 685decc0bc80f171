"""The yearly reports' run after each load: asked for by the service, and by `tuphap load`.

A load's run ends at its publish; the reports of the years it brought (the publish's
`years_loaded`) follow in a run of `make_yearly_reports` (jobs.py) over those years. In the
service the `reports_after_load` sensor asks for it when a load run launched by the daemon
succeeds; `tuphap load`, whose run Dagster's sensors do not see (it runs in its own process),
starts it itself in a background process (orchestration/cli/reports.py). Both describe the run
with `report_run`, so it is the same run either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

from orchestration import settings
from orchestration.automation.jobs import REPORTS_TAG, WAREHOUSE_TAG
from orchestration.partitions import range_tags
from orchestration.publish.assets import YEARS_LOADED
from orchestration.report.assets import REPORT_YEARS_TAG

AFTER_LOAD_TAG = "tuphap/after-load"  # the load run whose years a reports run writes


@dataclass(frozen=True)
class ReportRun:
    """A reports run: its tags and run configuration."""

    tags: dict[str, str]
    run_config: dict[str, Any]


def report_run(*, load_run_id: str, years: Sequence[int], warehouse_tag: str,
               warehouse_config: Mapping[str, Any], trigger: str) -> ReportRun | None:
    """The reports run after load `load_run_id` that brought `years`, of the warehouse its
    run config names (`warehouse_config`: path, scope); None when it brought no year. Pure."""
    if not years:
        return None
    first, last = str(min(years)), str(max(years))
    config = {key: warehouse_config[key] for key in ("path", "scope")
              if warehouse_config.get(key) is not None}
    return ReportRun(
        tags={**range_tags(first, last), REPORT_YEARS_TAG: ",".join(map(str, sorted(years))),
              AFTER_LOAD_TAG: load_run_id, REPORTS_TAG: warehouse_tag,
              "tuphap/trigger": trigger},
        run_config={"resources": {"published": {"config": config}}} if config else {},
    )


def years_loaded(instance: dg.DagsterInstance, run_id: str) -> list[int]:
    """The years load `run_id` brought, from its publish's metadata."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        materialization = record.asset_materialization
        if materialization is not None and \
                materialization.asset_key == dg.AssetKey("published_warehouse"):
            value = materialization.metadata.get(YEARS_LOADED)
            return [int(year) for year in (value.value if value is not None else []) or []]
    return []


def reports_after_load_sensor(load_job: Any, reports_job: Any) -> dg.SensorDefinition:
    """The sensor that asks for the reports run when a load run the daemon launched succeeds
    (a `tuphap load` starts its own)."""

    @dg.run_status_sensor(
        name="reports_after_load",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[load_job],
        request_job=reports_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=5,
        description="Makes the yearly reports of the years a load brought, after its publish.",
    )
    def reports_after_load(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
        run = context.dagster_run
        if not settings.yearly_reports_after_load():
            return dg.SkipReason(f"{settings.YEARLY_REPORTS_ENV}=off: no reports after loads")
        resources = (run.run_config or {}).get("resources") or {}
        planned = report_run(
            load_run_id=run.run_id, years=years_loaded(context.instance, run.run_id),
            warehouse_tag=run.tags.get(WAREHOUSE_TAG, ""),
            warehouse_config=((resources.get("warehouse") or {}).get("config") or {}),
            trigger="after-load")
        if planned is None:
            return dg.SkipReason(f"run {run.run_id} brought no year's figures")
        return dg.RunRequest(run_key=f"reports-after-{run.run_id}", tags=planned.tags,
                             run_config=planned.run_config)

    return reports_after_load

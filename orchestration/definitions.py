"""The Dagster code location of tuphap-warehouse (found by `dagster dev` via pyproject.toml).

Importing this module defines and does nothing: no process is started, no file written, the
environment left as it is. `defs` is built the first time it is asked for (a module attribute
made on first access): that is when Dagster loads the code location, it finds `defs` among the
module's members, or when the CLI or a test reads `orchestration.definitions.defs`. Only then is
the dbt manifest prepared if needed (orchestration/dbt/project.py) and read.

Not `@dg.definitions`: that needs Dagster imported when this module is, and importing Dagster
starts a process (its vendored croniter runs `file` on the interpreter).
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import dagster as dg


@cache
def load() -> dg.Definitions:
    """Assemble the code location: every asset, the jobs, the schedule, the sensors,
    resources."""
    from orchestration import settings
    from orchestration.dbt import project

    settings.disable_telemetry()  # for this process and the dbt it starts
    project.prepare_if_dev()
    project.prepare_if_stale()

    import dagster as dg

    # Single-run backfills are beta in Dagster 1.13; one run per load is what we want.
    warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

    from orchestration.automation.jobs import load_job, remind_job, reports_job
    from orchestration.automation.mail_sensor import mailbox_sensor
    from orchestration.automation.reports import reports_after_load_sensor
    from orchestration.automation.schedules import daily_reminders_schedule, yearly_load_schedule
    from orchestration.automation.sensors import inbox_sensor
    from orchestration.correspondence.assets import unit_messages, unit_reminders
    from orchestration.dbt.assets import warehouse_models
    from orchestration.dbt.resources import dbt_resource
    from orchestration.ingest.assets import raw_reports
    from orchestration.ingest.inbox import InboxResource
    from orchestration.mailbox.assets import mailed_reports
    from orchestration.publish.assets import published_warehouse
    from orchestration.quality.assets import dq_issues, quality_alerts
    from orchestration.quality.resources import AlertChannelsResource
    from orchestration.quality.row_rules import RowRulesResource
    from orchestration.report.assets import yearly_reports
    from orchestration.warehouse.resources import PublishedWarehouseResource, WarehouseResource

    load_def, reports_def = load_job(), reports_job()
    return dg.Definitions(
        assets=[mailed_reports, raw_reports, warehouse_models, dq_issues, quality_alerts,
                published_warehouse, yearly_reports, unit_messages, unit_reminders],
        jobs=[load_def, reports_def, remind_job()],
        schedules=[yearly_load_schedule, daily_reminders_schedule],
        sensors=[inbox_sensor, mailbox_sensor,
                 reports_after_load_sensor(load_def, reports_def)],
        resources={
            "warehouse": WarehouseResource(),
            "published": PublishedWarehouseResource(),
            "inbox": InboxResource(),
            "dbt": dbt_resource(),
            "alerts": AlertChannelsResource(),
            "row_rules": RowRulesResource(),
        },
        executor=dg.in_process_executor,
    )


def __getattr__(name: str) -> Any:
    """`defs`, built on first access (the module docstring says why)."""
    if name == "defs":
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # Dagster's loader lists the module's members with dir(): `defs` must be among them.
    return sorted([*globals(), "defs"])

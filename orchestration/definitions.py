"""The Dagster code location of tuphap-warehouse (found by `dagster dev` via pyproject.toml)."""

from __future__ import annotations

import dagster as dg

from orchestration import settings
from orchestration.assets.ingest import raw_reports
from orchestration.assets.publish import published_warehouse
from orchestration.dbt import dbt_resource, warehouse_models
from orchestration.inbox import InboxResource
from orchestration.jobs import load_job
from orchestration.quality.assets import dq_issues, quality_alerts
from orchestration.quality.engine import RowRulesResource
from orchestration.quality.resources import AlertChannelsResource
from orchestration.schedules import yearly_load_schedule
from orchestration.sensors import inbox_sensor
from orchestration.warehouse import WarehouseResource

settings.disable_telemetry()

defs = dg.Definitions(
    assets=[raw_reports, warehouse_models, dq_issues, quality_alerts, published_warehouse],
    jobs=[load_job],
    schedules=[yearly_load_schedule],
    sensors=[inbox_sensor],
    resources={
        "warehouse": WarehouseResource(),
        "inbox": InboxResource(),
        "dbt": dbt_resource,
        "alerts": AlertChannelsResource(),
        "row_rules": RowRulesResource(),
    },
    executor=dg.in_process_executor,
)

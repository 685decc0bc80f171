"""The last step of a load: make the run's build the published warehouse."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
import dagster as dg

from orchestration import settings
from orchestration.dbt.assets import warehouse_models
from orchestration.ingest.assets import raw_reports
from orchestration.warehouse.resources import WarehouseResource


@dg.asset(
    key="published_warehouse",
    group_name="publish",
    # Everything a load writes comes before the swap, even in a partial selection.
    deps=[raw_reports, warehouse_models, "dq_issues", "quality_alerts"],
    kinds={settings.warehouse_kind()},
    description=(
        "The warehouse analysts read. Everything before this step wrote a private build; this "
        "step swaps it in atomically, so readers never see a half-built warehouse."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    published = warehouse.publish()
    context.log.info(f"published {warehouse.engine.address}")
    return dg.MaterializeResult(metadata=dict(published))

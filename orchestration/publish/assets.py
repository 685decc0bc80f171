"""The last step of a load: make the run's build the published warehouse."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
import dagster as dg

from orchestration import settings
from orchestration.dbt.assets import warehouse_models
from orchestration.ingest.assets import raw_reports
from orchestration.report.read import last_loaded_years
from orchestration.warehouse.resources import WarehouseResource

YEARS_LOADED = "years_loaded"  # metadata: the years whose figures the published load brought


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
    # The years whose figures this load brought: their yearly reports are made next, in a run
    # of their own (orchestration/report/assets.py), off the load's critical path.
    with warehouse.engine.read_only() as con:
        years = sorted(last_loaded_years(con))
    return dg.MaterializeResult(metadata={**published, YEARS_LOADED: dg.MetadataValue.json(years)})

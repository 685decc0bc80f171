"""The last step of a load: make the run's build copy the published warehouse."""


import dagster as dg

from orchestration.assets.ingest import raw_reports
from orchestration.dbt import warehouse_models
from orchestration.warehouse import WarehouseResource


@dg.asset(
    key="published_warehouse",
    group_name="publish",
    # Everything a load writes comes before the swap, even in a partial selection.
    deps=[raw_reports, warehouse_models, "dq_issues", "quality_alerts"],
    kinds={"duckdb"},
    description=(
        "The warehouse analysts read. Everything before this step wrote a private copy; this "
        "step swaps it in atomically, so readers never see a half-built warehouse."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    path = warehouse.publish()
    context.log.info(f"published {path}")
    return dg.MaterializeResult(
        metadata={"path": str(path), "size_bytes": path.stat().st_size}
    )

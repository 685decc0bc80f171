"""The yearly reports as a Dagster asset: every load rewrites the reports of its years."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
import dagster as dg

from orchestration.partitions import years_partitions
from orchestration.warehouse.resources import WarehouseResource


@dg.asset(
    key="yearly_reports",
    group_name="publish",
    partitions_def=years_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=["published_warehouse"],  # read from what analysts see, after the swap
    kinds={"html", "pdf"},
    description=(
        "Số liệu công tác tư pháp năm N: the yearly summary in Vietnamese (HTML page, A4 PDF "
        "and the workbook of its tables) of each year the load brought figures for, written "
        "to reports/ beside the published warehouse (orchestration/report; yearly-report.md)."
    ),
)
def yearly_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from orchestration.report.build import write_load_reports  # altair, typst: when it runs

    written = write_load_reports(warehouse.engine,
                                 years=[int(k) for k in context.partition_keys],
                                 scope=warehouse.resolved_scope)
    context.log.info(f"wrote the reports of {len(written)} year(s)")
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(sorted(written)),
        **{f"html_{year}": dg.MetadataValue.path(str(p.html)) for year, p in written.items()},
        **{f"pdf_{year}": dg.MetadataValue.path(str(p.pdf)) for year, p in written.items()},
        **{f"xlsx_{year}": dg.MetadataValue.path(str(p.xlsx)) for year, p in written.items()},
    })

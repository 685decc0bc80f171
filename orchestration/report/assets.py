"""The yearly reports as a Dagster asset, made after a load in a run of their own.

Rendering a year costs one to two seconds (charts, PDF), ten of them a national load's length
again: so the load's critical path ends at its publish, and the reports of the years it
brought are made right after, off that path, in their own run of this asset: started by the
`reports_after_load` sensor in the service (orchestration/automation/reports.py), by
`tuphap load` in a background process, or by a person in the UI. The run reads the published
warehouse only (no load lock): the next load never waits for it.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
import dagster as dg

from orchestration.partitions import years_partitions
from orchestration.warehouse.resources import PublishedWarehouseResource

# The run tag naming the years to write ("2016,2020": the years the load brought figures
# for); without it, the years of the run's partitions the last load brought.
REPORT_YEARS_TAG = "tuphap/report-years"


def years_to_write(tags: dict[str, str], partition_years: list[int]) -> list[int] | None:
    """The years a run of the asset writes, from its tags; None: the last load's among the
    run's partitions (`write_load_reports`). Pure."""
    text = tags.get(REPORT_YEARS_TAG)
    if text is None:
        return None
    wanted = {int(part) for part in text.split(",") if part.strip().isdigit()}
    return sorted(wanted & set(partition_years)) if partition_years else sorted(wanted)


@dg.asset(
    key="yearly_reports",
    group_name="publish",
    partitions_def=years_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=["published_warehouse"],  # read from what analysts see, after the swap
    kinds={"html", "pdf"},
    description=(
        "Số liệu công tác tư pháp năm N: the yearly summary in Vietnamese (HTML page, A4 PDF "
        "and the workbook of its tables) of each year a load brought figures for, written "
        "to reports/ beside the published warehouse (orchestration/report; yearly-report.md). "
        "Made in a run of its own after the load's publish; a year whose inputs did not "
        "change keeps its files."
    ),
)
def yearly_reports(
    context: dg.AssetExecutionContext, published: PublishedWarehouseResource
) -> dg.MaterializeResult:
    from orchestration.report.build import write_load_reports, write_reports  # altair, typst

    partition_years = [int(k) for k in context.partition_keys]
    years = years_to_write(dict(context.run.tags), partition_years)
    if years is None:
        written = write_load_reports(published.engine, years=partition_years,
                                     scope=published.resolved_scope)
    else:
        written = write_reports(published.engine, years=years, scope=published.resolved_scope)
    context.log.info(f"wrote the reports of {len(written)} year(s)")
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(sorted(written)),
        **{f"html_{year}": dg.MetadataValue.path(str(p.html)) for year, p in written.items()},
        **{f"pdf_{year}": dg.MetadataValue.path(str(p.pdf)) for year, p in written.items()},
        **{f"xlsx_{year}": dg.MetadataValue.path(str(p.xlsx)) for year, p in written.items()},
    })

"""The ingest asset: receive, archive, parse and record every report file of the inbox."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from ingest.calendar import read_calendar
from ingest.limits import Limits
from ingest.reference import load_registry
from orchestration import settings
from orchestration.ingest.arrivals import arrival_times
from orchestration.ingest.inbox import InboxResource
from orchestration.ingest.raw_schema import write_calendar
from orchestration.ingest.receive import Received, receive
from orchestration.partitions import years_partitions
from orchestration.warehouse.resources import WarehouseResource

RAW_TABLES = ("received_files", "file_receipts", "submissions", "submission_values",
              "target_decisions", "target_values", "skipped_inbox_entries",
              "reporting_calendar")
# What each raw table is, in the UI (the columns are documented in the dbt source).
RAW_DESCRIPTIONS = {
    "target_decisions": "Targets decisions (quyết định giao chỉ tiêu): every CHITIEU workbook "
                        "or targets CSV received, superseded ones too; feeds "
                        "fct_target_achievement.",
    "target_values": "The rows of every targets decision: a unit's, or a unit type's, target "
                     "per indicator.",
    "reporting_calendar": "The data team's due dates (TUPHAP_CALENDAR), replaced by every "
                          "load; feeds rpt_submissions.",
}


@dg.multi_asset(
    name="raw_reports",
    specs=[
        dg.AssetSpec(
            ["raw", table], group_name="ingest", kinds={"python", settings.warehouse_kind()},
            # the mailbox's pull puts units' mailed reports in the inbox first
            deps=["mailed_reports"],
            description=f"raw.{table}: {RAW_DESCRIPTIONS.get(table, 'see')} "
                        "dbt_project/models/staging/raw/_raw__sources.yml (the raw source)",
        )
        for table in RAW_TABLES
    ],
    partitions_def=years_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "Report files and targets decisions of the inbox, archived by sha256 and parsed into "
        "the raw tables. A year partition loads the submissions and decisions of that "
        "reporting year; rejected files are "
        "recorded whatever their year, and so is every inbox entry that is not read (a "
        "symbolic link, a FIFO, an unreadable file), with why."
    ),
)
def raw_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> Iterator[dg.MaterializeResult]:
    scan = inbox.scan()
    # Files taken from the mailbox count as received when their message arrived.
    arrived = arrival_times(warehouse.engine) if settings.mailbox_configured() else {}
    received = receive(
        scan.files, build=warehouse.build, archive_dir=warehouse.engine.archive_dir,
        years={int(key) for key in context.partition_keys}, scope=warehouse.resolved_scope,
        # TUPHAP_MAX_* (docs/reliability.md); a bad value fails the load
        limits=Limits.from_env(), registry=load_registry(), now=datetime.now(UTC),
        load_id=context.run.run_id, skipped=scan.skipped, arrived=arrived,
    )
    if received.noted_files:
        # One line, not one event per note: the notes stay with each file in the warehouse.
        context.log.debug(f"parser notes on {received.noted_files} file(s): see"
                          " raw.received_files.parse_notes")
    context.log.info(received.summary())
    calendar = read_calendar(settings.optional_path("TUPHAP_CALENDAR"))
    for problem in calendar.problems:
        context.log.warning(f"reporting calendar (TUPHAP_CALENDAR): {problem}")
    write_calendar(warehouse.build, calendar)
    yield from materializations(received, calendar_rows=len(calendar.rows()))


def materializations(received: Received, calendar_rows: int = 0) -> list[dg.MaterializeResult]:
    """One result per raw table; the load summary rides on raw/received_files, which every
    load touches."""
    new_rows = {**received.new_rows, "skipped_inbox_entries": len(received.skipped),
                "reporting_calendar": calendar_rows}
    results = [dg.MaterializeResult(asset_key=["raw", table],
                                    metadata={"new_rows": new_rows[table]})
               for table in RAW_TABLES[1:] if table != "target_decisions"]
    results.append(dg.MaterializeResult(
        asset_key=["raw", "target_decisions"],
        metadata={"new_rows": new_rows["target_decisions"],
                  "decisions": dg.MetadataValue.json(received.decisions),
                  "decisions_summary": dg.MetadataValue.md(
                      _decisions_markdown(received.decisions))},
    ))
    results.append(dg.MaterializeResult(
        asset_key=["raw", "received_files"],
        metadata={
            "new_rows": received.new_rows["received_files"],
            "inbox_files": received.inbox_files,
            "new_submissions": received.new_rows["submissions"],
            "new_rejections": len(received.rejected),
            "accepted_files_total": received.accepted_files_total,
            "rejected_files_total": received.rejected_files_total,
            "scope": received.scope,
            "loaded": dg.MetadataValue.json(received.loaded),
            "decisions": dg.MetadataValue.json(received.decisions),
            "rejected": dg.MetadataValue.json(received.rejected),
            "skipped": dg.MetadataValue.json(received.skipped),
            "loaded_summary": dg.MetadataValue.md(_loaded_markdown(received.loaded)),
        },
    ))
    return results


def _loaded_markdown(loaded: list[dict]) -> str:
    if not loaded:
        return "Nothing new."
    lines = ["| file | unit | year | form |", "|---|---|---|---|"]
    lines += [f"| {r['file']} | {r['unit_code']} | {r['year']} | {r['form']} |" for r in loaded]
    return "\n".join(lines)


def _decisions_markdown(decisions: list[dict]) -> str:
    if not decisions:
        return "No new targets decision."
    lines = ["| file | year | decision | date | for |", "|---|---|---|---|---|"]
    lines += [f"| {d['file']} | {d['year']} | {d['decision_number']} | "
              f"{d['decision_date'] or ''} | {', '.join(d['unit_types'])} |" for d in decisions]
    return "\n".join(lines)

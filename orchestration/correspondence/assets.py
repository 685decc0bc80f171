"""Dagster assets of correspondence: `unit_messages`, the load's step after the publish
(receipts and each unit's new issues), and `unit_reminders`, the daily tick's (deadline
reminders and reminders of open errors; its own job, never part of a load)."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from ingest.contacts import mask_addresses
from ingest.reference import load_registry
from orchestration import settings
from orchestration.correspondence.compose import VIETNAM
from orchestration.correspondence.mailer import Attach
from orchestration.correspondence.run import Outcome, Settings, send_receipts, send_reminders
from orchestration.quality.resources import AlertChannelsResource
from orchestration.warehouse.resources import WarehouseResource


def correspondence_settings(alerts: AlertChannelsResource) -> Settings:
    return Settings(contacts=settings.optional_path("TUPHAP_CONTACTS"),
                    server=alerts.smtp_server(), registry=load_registry(),
                    remind_days=settings.remind_days())


def _metadata(outcome: Outcome) -> dict:
    return {
        "messages_sent": outcome.sent.messages,
        "units": len(outcome.sent.units),
        "deliveries_failed": len(outcome.sent.failed),
        "failures": dg.MetadataValue.json(outcome.sent.failed),  # addresses masked
        "no_contact": dg.MetadataValue.json(outcome.no_contact),
        "register": outcome.register.note,
        "register_problems": dg.MetadataValue.json(list(outcome.register.problems)),
        "summary": outcome.summary(),
    }


def _log(context: dg.AssetExecutionContext, outcome: Outcome) -> None:
    for problem in outcome.register.problems:
        context.log.warning(f"contacts register: {problem}")
    log = context.log.warning if outcome.sent.failed else context.log.info
    log(f"unit messages: {outcome.summary()}")


@dg.asset(
    name="unit_messages",
    group_name="correspondence",
    deps=["published_warehouse"],  # what units hear about is what analysts now see
    kinds={"python", "email"},
    description=(
        "Each unit hears about its own reports, in Vietnamese, at its officers' addresses in "
        "the contacts register (TUPHAP_CONTACTS): a receipt per file (accepted, superseding, "
        "rejected, with why) and its new issues with their tokens; one message per unit and "
        "load. Recorded in the private store; failed deliveries are retried, never fatal."
    ),
)
def unit_messages(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                  alerts: AlertChannelsResource) -> dg.MaterializeResult:
    record = context.instance.get_run_record_by_id(context.run_id)
    now = datetime.now(UTC)
    started = (datetime.fromtimestamp(record.start_time, UTC)
               if record is not None and record.start_time else now)
    try:
        outcome = send_receipts(warehouse.engine, correspondence_settings(alerts), now, started,
                                attach=blank_template(warehouse))
    except Exception as error:  # noqa: BLE001 - the warehouse is published: never fail the load
        why = mask_addresses(f"{type(error).__name__}: {error}")
        context.log.error(f"unit messages: not sent this load ({why}); the next load or"
                          " reminder tick sends what is due")
        return dg.MaterializeResult(metadata={"error": why,
                                              "summary": f"not sent this load: {why}"})
    _log(context, outcome)
    return dg.MaterializeResult(metadata=_metadata(outcome))


class RemindConfig(dg.Config):
    """`as_of`: the moment to remind as of (ISO; empty = now), for catching up and tests."""

    as_of: str = ""
    dry_run: bool = False


def blank_template(warehouse: WarehouseResource) -> Attach:
    """The unit's blank template of the year, as `tuphap template` writes it."""
    from ingest.template import write_template
    from orchestration.export.subunits import fetch_subunit_names

    registry = load_registry()

    def make(wanted: dict) -> bytes:
        with warehouse.engine.read_only() as con:
            names = fetch_subunit_names(con, wanted["unit_code"], wanted["year"],
                                        registry=registry)
        with tempfile.TemporaryDirectory() as folder:
            path = write_template(wanted["unit_code"], wanted["year"],
                                  Path(folder) / wanted["file_name"], subunit_names=names,
                                  registry=registry)
            return Path(path).read_bytes()

    return make


@dg.asset(
    name="unit_reminders",
    group_name="correspondence",
    deps=["published_warehouse"],
    kinds={"python", "email"},
    description=(
        "Reminders due today (Asia/Ho_Chi_Minh): units with forms missing for a year, 7 days "
        "before the due date, the day after, then weekly, with their blank template attached "
        "(TUPHAP_CALENDAR); and each unit's open errors every TUPHAP_REMIND_DAYS days, the "
        "unit's head copied after the third. Never the same reminder twice."
    ),
)
def unit_reminders(context: dg.AssetExecutionContext, config: RemindConfig,
                   warehouse: WarehouseResource,
                   alerts: AlertChannelsResource) -> dg.MaterializeResult:
    now = datetime.fromisoformat(config.as_of) if config.as_of else datetime.now(UTC)
    if now.tzinfo is None:  # a day and time as people in Vietnam say them
        now = now.replace(tzinfo=VIETNAM)
    outcome = send_reminders(warehouse.engine, correspondence_settings(alerts), now,
                             dry_run=config.dry_run, attach=blank_template(warehouse))
    _log(context, outcome)
    return dg.MaterializeResult(metadata={
        **_metadata(outcome),
        "dry_run": config.dry_run,
        "due": dg.MetadataValue.json([
            {"unit": m.unit_code, "kind": m.kind, "subject": m.subject,
             "recipients": len(m.recipients)} for m in outcome.dry_run]),
    })

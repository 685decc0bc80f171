"""The mailbox's Dagster asset, `mailed_reports`: the first step of every load (`tuphap load`,
the inbox and mailbox sensors, the schedule), so a load takes what units mailed before it
reads the inbox, and applies the units' explanations to its issues."""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
from datetime import UTC, datetime

import dagster as dg

from ingest.contacts import mask_addresses
from ingest.limits import Limits
from ingest.reference import load_registry
from orchestration import settings
from orchestration.ingest.inbox import InboxResource
from orchestration.mailbox import explain
from orchestration.mailbox.address import MailboxSettingError, mailbox_settings
from orchestration.mailbox.pull import PullResult, pull
from orchestration.warehouse.resources import WarehouseResource

ASSET_NAME = "mailed_reports"


def _metadata(result: PullResult, explained: list[str]) -> dict:
    return {
        "new_messages": result.new, "report_files": result.files,
        "explained": dg.MetadataValue.json(explained),
        "held": dg.MetadataValue.json(result.held),  # ids and reasons, addresses masked
        "duplicates": result.duplicates, "error": result.error or "",
        "summary": result.summary(),
    }


@dg.asset(
    name=ASSET_NAME,
    group_name="ingest",
    kinds={"python", "email"},
    description=(
        "Reports and answers the units e-mail (TUPHAP_IMAP_URL): each message taken once, the "
        "mailbox left as it was; officers' report files put in the inbox (received at the "
        "message's arrival), replies carrying an issue's token recorded as the unit's "
        "explanation, everything else held for the data team (tuphap held). A mailbox that "
        "cannot be read is said in the run's log and the load goes on."
    ),
)
def mailed_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   inbox: InboxResource) -> dg.MaterializeResult:
    try:
        mail = mailbox_settings()
    except MailboxSettingError as error:
        context.log.error(f"mailbox: not read ({error})")
        return dg.MaterializeResult(metadata={"summary": f"mailbox: not read ({error})",
                                              "error": str(error)})
    if mail is None:
        return dg.MaterializeResult(metadata={
            "summary": "no mailbox configured (TUPHAP_IMAP_URL): reports come by the folder"})
    now = datetime.now(UTC)
    result = pull(warehouse.engine, mail, inbox=inbox.resolved_path,
                  contacts_path=settings.optional_path("TUPHAP_CONTACTS"),
                  registry=load_registry(), scope=warehouse.resolved_scope,
                  limits=Limits.from_env(), now=now)
    with warehouse.connect() as build, warehouse.engine.private_store() as private:
        explained = explain.apply(build, private)
    log = context.log.warning if result.error or result.held else context.log.info
    log(mask_addresses(result.summary()))
    for held in result.held:
        context.log.warning(f"mailbox: held {held['id']}: {held['reason']}")
    return dg.MaterializeResult(metadata=_metadata(result, explained))

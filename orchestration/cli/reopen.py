"""`tuphap reopen FINGERPRINT --note TEXT`: the data team rejects a unit's explanation.

The issue is open again (and reminded again); the unit's officers receive the note, in a reply
to their explanation (orchestration/mailbox/explain.py)."""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.ack import decision_parser
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return decision_parser(commands, "reopen",
                           help_text="reject a unit's explanation: the issue is open again and"
                                     " the unit is told why",
                           note_help="why the explanation is not accepted (sent to the unit)")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ingest.contacts import mask_addresses
    from orchestration.correspondence.assets import correspondence_settings
    from orchestration.mailbox.explain import reopen_issue
    from orchestration.quality.resources import AlertChannelsResource
    from orchestration.warehouse.engine import (
        LoadInProgressError,
        WarehouseMissingError,
        engine_for,
    )

    if not args.note.strip():
        return fail("reopen", "--note must say why (the unit reads it)")
    engine = engine_for(settings.warehouse_address(args.warehouse))
    try:
        issue, outcome = reopen_issue(engine, args.fingerprint, args.note.strip(),
                                      correspondence_settings(AlertChannelsResource()),
                                      datetime.now(UTC))
    except (WarehouseMissingError, LoadInProgressError) as error:
        return fail("reopen", error)
    if issue is None:
        return fail("reopen", f"no explained or acknowledged issue with fingerprint"
                              f" {args.fingerprint}")
    told = outcome.summary() if outcome is not None else "no contacts register: nobody told"
    print(f"reopened {issue['fingerprint'][:12]} ({issue['unit_code']}): open again;"
          f" {mask_addresses(told)}")
    return 0


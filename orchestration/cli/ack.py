"""`tuphap ack FINGERPRINT --note TEXT`: the data team accepts an issue."""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.failure import fail


def decision_parser(commands: argparse._SubParsersAction, name: str, *, help_text: str,
                    note_help: str) -> argparse.ArgumentParser:
    """The data team's decision on one issue: `tuphap NAME FINGERPRINT --note TEXT`
    (`ack` here, `reopen` in cli/reopen.py)."""
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("fingerprint")
    parser.add_argument("--note", required=True, help=note_help)
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return decision_parser(commands, "ack",
                           help_text="acknowledge an issue so it is not alerted again",
                           note_help="why it is acknowledged (kept with the issue)")


def run(args: argparse.Namespace) -> int:
    from orchestration.quality.issues import acknowledge
    from orchestration.warehouse.engine import (
        LoadInProgressError,
        WarehouseMissingError,
        engine_for,
        transaction,
    )

    try:
        with transaction(engine_for(settings.warehouse_address(args.warehouse))) as con:
            found = acknowledge(con, args.fingerprint, args.note)
    except (WarehouseMissingError, LoadInProgressError) as error:
        return fail("ack", error)
    if not found:
        return fail("ack", f"no issue with fingerprint {args.fingerprint}")
    print(f"acknowledged {args.fingerprint}: it will not be alerted again")
    return 0

"""`tuphap ack FINGERPRINT --note TEXT`: the data team accepts an issue."""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser("ack",
                                 help="acknowledge an issue so it is not alerted again")
    parser.add_argument("fingerprint")
    parser.add_argument("--note", required=True,
                        help="why it is acknowledged (kept with the issue)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


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

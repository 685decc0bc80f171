"""`tuphap targets --year N [--warehouse W]`: each unit's targets, results, margins, Đạt or
Không đạt, printed the Vietnamese way (orchestration/targets)."""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "targets", help="each unit's targets for a year, its results and Đạt / Không đạt")
    parser.add_argument("--year", type=int, required=True, help="reporting year, e.g. 2022")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


def run(args: argparse.Namespace) -> int:
    from orchestration.targets.read import read_year
    from orchestration.targets.table import format_year
    from orchestration.warehouse.engine import WarehouseMissingError, engine_for

    try:
        with engine_for(settings.warehouse_address(args.warehouse)).read_only() as con:
            targets = read_year(con, args.year)
    except (WarehouseMissingError, ValueError) as error:
        return fail("targets", error)
    if not targets.rows:
        return fail("targets", f"the warehouse holds no targets for {args.year}: load that year's "
                                "targets decision (README, \"Targets\")")
    print(format_year(targets))
    return 0

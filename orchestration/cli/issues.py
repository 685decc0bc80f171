"""`tuphap issues [--year N] [--severity error|warn] [--unit CODE] [--status ...]`: an explained
issue shows the unit's explanation under it."""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser("issues", help="list quality issues")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    parser.add_argument("--year", type=int)
    parser.add_argument("--severity", choices=("error", "warn"))
    parser.add_argument("--unit", help="unit code, e.g. THADS-10")
    parser.add_argument("--status", default="open",
                        choices=("open", "explained", "acknowledged", "resolved", "all"),
                        help="open (default), explained (the unit answered by e-mail),"
                             " acknowledged, resolved, or all")
    return parser


def run(args: argparse.Namespace) -> int:
    from orchestration.quality.issue_table import format_issues_table
    from orchestration.quality.issues import list_issues
    from orchestration.warehouse.engine import WarehouseMissingError, engine_for

    try:
        with engine_for(settings.warehouse_address(args.warehouse)).read_only() as con:
            rows = list_issues(
                con, year=args.year, severity=args.severity, unit=args.unit,
                status=None if args.status == "all" else args.status,
            )
    except WarehouseMissingError as error:
        return fail("issues", error)
    print(format_issues_table(rows))
    return 0

"""`tuphap report --year N [--scope cluster|national] [--warehouse W] [--out DIR]`.

Messages are for the data team.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.constants import SCOPES
from orchestration import settings
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    report = commands.add_parser(
        "report", help="write the yearly summary (HTML page and A4 PDF, in Vietnamese)")
    report.add_argument("--year", type=int, required=True, help="reporting year, e.g. 2022")
    report.add_argument("--scope", choices=SCOPES,
                        help="the cluster's members or the whole country (TUPHAP_SCOPE; cluster)")
    report.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    report.add_argument("--out", type=Path,
                        help="folder for the three files (default: reports/ beside the "
                             "warehouse)")
    report.add_argument("--no-annex", action="store_true",
                        help="leave the technical annex out of the PDF (the HTML keeps it)")
    return report


def run(args: argparse.Namespace) -> int:
    from orchestration.report.build import NoReportData, default_out_dir, write_year_report
    from orchestration.report.issuer import issuer_from
    from orchestration.warehouse.engine import WarehouseMissingError, engine_for

    try:
        issuer = issuer_from()  # a bad setting is said before anything is read
        engine = engine_for(settings.warehouse_address(args.warehouse))
        scope = settings.scope(args.scope)
        out_dir = args.out or default_out_dir(engine)
        with engine.read_only() as connection:
            paths = write_year_report(connection, year=args.year, scope=scope, out_dir=out_dir,
                                      with_annex=not args.no_annex, issuer=issuer)
    except (WarehouseMissingError, NoReportData, ValueError) as error:
        return fail("report", _message(error))
    for path in paths.all():
        print(path)
    return 0


def _message(error: Exception) -> str:
    # LookupError's str() quotes its message; say it plainly.
    return str(error.args[0]) if error.args else str(error)

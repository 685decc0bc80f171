"""`tuphap template --unit CODE --year N [--out FILE] [--warehouse W]`: the blank workbook.

It only reads the warehouse (the sub-unit names to pre-fill), through the engine's short-lived
read-only connection. Messages for the data team are English; a reason an officer would be
given (why a unit has no template that year) stays Vietnamese.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration import settings
from orchestration.cli.failure import EXIT_OK, fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "template", help="write the blank workbook a unit fills in for a reporting year")
    parser.add_argument("--unit", required=True, help="unit code, e.g. THADS-14 or STP-08")
    parser.add_argument("--year", required=True, type=int, help="reporting year, e.g. 2025")
    parser.add_argument("--out", type=Path,
                        help="the .xlsx to write (default: bieu_mau_<UNIT>_<YEAR>.xlsx here)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP + ": sub-unit names are "
                        "pre-filled from the unit's latest accepted report in it, if any")
    return parser


def run(args: argparse.Namespace) -> int:
    from ingest.identity import normalise_unit_code
    from ingest.reference import load_registry
    from ingest.template import TemplateError, template_unit, write_template
    from orchestration.export.subunits import fetch_subunit_names
    from orchestration.warehouse.engine import engine_for

    registry = load_registry()
    code = normalise_unit_code(args.unit) or args.unit.strip()
    try:
        unit = template_unit(registry, code, args.year)
    except TemplateError as error:
        return fail("template", error)
    names: dict[str, list[str]] | None = None
    try:
        engine = engine_for(settings.warehouse_address(args.warehouse))
    except ValueError as error:
        return fail("template", error)
    if engine.exists():
        try:
            with engine.read_only() as con:
                names = fetch_subunit_names(con, unit.unit_code, args.year, registry=registry)
        except Exception as error:  # noqa: BLE001 - the names are a convenience, the form is not
            print(f"tuphap template: sub-unit names not read from {engine.address} ({error}); "
                  "writing the template without them", file=sys.stderr)
    elif args.warehouse:
        return fail("template", f"no warehouse at {engine.address}")
    out = args.out or Path(f"bieu_mau_{unit.unit_code}_{args.year}.xlsx")
    try:
        path = write_template(unit.unit_code, args.year, out, subunit_names=names,
                              registry=registry)
    except (TemplateError, OSError) as error:
        return fail("template", error)
    known = {form: len(found) for form, found in (names or {}).items() if found}
    prefilled = (", ".join(f"{form}: {n}" for form, n in known.items()) if known
                 else "none known")
    print(f"wrote the {args.year} template of {unit.unit_code} ({unit.unit_name}) to {path}; "
          f"sub-units pre-filled: {prefilled}")
    return EXIT_OK

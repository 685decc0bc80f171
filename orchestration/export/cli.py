"""`tuphap template` and `tuphap export`: the command-line glue of both.

The CLI (orchestration/cli) registers the two parsers and dispatches to `run_template` and
`run_export`:

    add_template_parser(commands)   # tuphap template --unit CODE --year N [--out] [--warehouse]
    add_export_parser(commands)     # tuphap export TABLE [--format] [--year] [--province] ...
    {"template": run_template, "export": run_export}[args.command](args)

Both only read the warehouse, through the engine's short-lived read-only connection, so they
never wait on a load and a load never waits on them. Messages for the data team are English;
a reason an officer would be given (why a unit has no template that year) stays Vietnamese.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from orchestration import settings

EXIT_OK, EXIT_FAILED = 0, 1


def add_template_parser(commands: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "template", help="write the blank workbook a unit fills in for a reporting year")
    parser.add_argument("--unit", required=True, help="unit code, e.g. THADS-14 or STP-08")
    parser.add_argument("--year", required=True, type=int, help="reporting year, e.g. 2025")
    parser.add_argument("--out", type=Path,
                        help="the .xlsx to write (default: bieu_mau_<UNIT>_<YEAR>.xlsx here)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP + ": sub-unit names are "
                        "pre-filled from the unit's latest accepted report in it, if any")
    return parser


def add_export_parser(commands: Any) -> argparse.ArgumentParser:
    from orchestration.export.tables import PUBLIC_TABLES

    parser = commands.add_parser(
        "export", help="write a public table as xlsx (for people) or CSV (for machines)")
    parser.add_argument("table", choices=list(PUBLIC_TABLES), metavar="TABLE",
                        help=f"one of: {', '.join(PUBLIC_TABLES)}")
    parser.add_argument("--format", choices=("xlsx", "csv"),
                        help="xlsx (default, or from --out's extension) or csv")
    parser.add_argument("--year", type=int, help="only this reporting year")
    parser.add_argument("--province", help="only this province (GSO code, e.g. 08)")
    parser.add_argument("--out", type=Path, help="file to write (default: TABLE[_YEAR]"
                        "[_PROVINCE].FORMAT here)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


def _fail(command: str, message: object) -> int:
    print(f"tuphap {command}: {message}", file=sys.stderr)
    return EXIT_FAILED


def run_template(args: argparse.Namespace) -> int:
    from ingest.identity import normalise_unit_code
    from ingest.reference import load_registry
    from ingest.template import TemplateError, fetch_subunit_names, template_unit, write_template
    from orchestration.warehouse.engine import engine_for

    registry = load_registry()
    code = normalise_unit_code(args.unit) or args.unit.strip()
    try:
        unit = template_unit(registry, code, args.year)
    except TemplateError as error:
        return _fail("template", error)
    names: dict[str, list[str]] | None = None
    try:
        engine = engine_for(settings.warehouse_address(args.warehouse))
    except ValueError as error:
        return _fail("template", error)
    if engine.exists():
        try:
            with engine.read_only() as con:
                names = fetch_subunit_names(con, unit.unit_code, args.year, registry=registry)
        except Exception as error:  # noqa: BLE001 - the names are a convenience, the form is not
            print(f"tuphap template: sub-unit names not read from {engine.address} ({error}); "
                  "writing the template without them", file=sys.stderr)
    elif args.warehouse:
        return _fail("template", f"no warehouse at {engine.address}")
    out = args.out or Path(f"bieu_mau_{unit.unit_code}_{args.year}.xlsx")
    try:
        path = write_template(unit.unit_code, args.year, out, subunit_names=names,
                              registry=registry)
    except (TemplateError, OSError) as error:
        return _fail("template", error)
    known = {form: len(found) for form, found in (names or {}).items() if found}
    prefilled = (", ".join(f"{form}: {n}" for form, n in known.items()) if known
                 else "none known")
    print(f"wrote the {args.year} template of {unit.unit_code} ({unit.unit_name}) to {path}; "
          f"sub-units pre-filled: {prefilled}")
    return EXIT_OK


def _default_export_name(table: str, fmt: str, year: int | None, province: str | None) -> Path:
    parts = [table, *([str(year)] if year is not None else []),
             *([province] if province is not None else [])]
    return Path("_".join(parts) + f".{fmt}")


def run_export(args: argparse.Namespace) -> int:
    from orchestration.export.docs import manifest_candidates, table_docs
    from orchestration.export.exporter import describe_load, export_table
    from orchestration.export.tables import ExportError, normalise_province
    from orchestration.warehouse.engine import WarehouseMissingError, engine_for

    fmt = args.format or ("csv" if args.out is not None and args.out.suffix.lower() == ".csv"
                          else "xlsx")
    try:
        province = normalise_province(args.province) if args.province is not None else None
        engine = engine_for(settings.warehouse_address(args.warehouse))
    except ValueError as error:
        return _fail("export", error)
    out = args.out or _default_export_name(args.table, fmt, args.year, province)
    local = Path(engine.address) if engine.kind == "duckdb" else None
    docs = table_docs(args.table, settings.DBT_PROJECT_DIR,
                      manifest_candidates(settings.DBT_PROJECT_DIR, local))
    try:
        with engine.read_only() as con:
            result = export_table(
                con, args.table, fmt=fmt, year=args.year, province=province, out_path=out,
                warehouse_label=engine.address, load_info=describe_load(con),
                column_docs=docs.columns, table_doc=docs.description)
    except (WarehouseMissingError, ExportError, OSError) as error:
        return _fail("export", error)
    print(f"wrote {result.row_count} rows of {result.table} to {result.path} ({fmt})")
    return EXIT_OK


__all__ = ["add_export_parser", "add_template_parser", "run_export", "run_template"]

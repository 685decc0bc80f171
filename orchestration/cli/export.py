"""`tuphap export TABLE [--format xlsx|csv] [--year N] [--province CODE] [--out FILE]`.

It only reads the warehouse, through the engine's short-lived read-only connection, so it never
waits on a load and a load never waits on it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestration import settings
from orchestration.cli.failure import EXIT_OK, fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
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


def _default_export_name(table: str, fmt: str, year: int | None, province: str | None) -> Path:
    parts = [table, *([str(year)] if year is not None else []),
             *([province] if province is not None else [])]
    return Path("_".join(parts) + f".{fmt}")


def run(args: argparse.Namespace) -> int:
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
        return fail("export", error)
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
        return fail("export", error)
    print(f"wrote {result.row_count} rows of {result.table} to {result.path} ({fmt})")
    return EXIT_OK

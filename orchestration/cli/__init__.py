"""`tuphap`: the data team's command line.

`load` materialises the same Dagster job a schedule or the sensor runs (no second code path),
in-process, recorded in the persistent Dagster instance so the run shows in `dagster dev`
(orchestration/cli/load.py). Heavy imports (Dagster, dbt) happen only in the commands that need
them. `main` is the entry point: it turns telemetry off for the command and what it starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from orchestration import settings
from orchestration.export.cli import (
    add_export_parser,
    add_template_parser,
    run_export,
    run_template,
)
from orchestration.report.cli import add_report_parser, run_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuphap", description="Justice-sector statistics warehouse: load, inspect, alert."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="ingest the inbox, build the warehouse, run checks")
    load.add_argument("--inbox", help="folder of report files (TUPHAP_INBOX; data/inbox)")
    load.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    load.add_argument("--years", help="reporting years to load, e.g. 2018-2025 (default: all)")
    load.add_argument("--scope", choices=settings.SCOPES,
                      help="which units are expected and accepted (TUPHAP_SCOPE; cluster)")
    load.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="wait this long for a running load instead of refusing at once")
    load.add_argument("--full-summary", action="store_true",
                      help="national scope: print the whole unit-by-year table and every "
                           "rejected file and skipped inbox entry (the default fits one screen)")

    issues = commands.add_parser("issues", help="list quality issues")
    issues.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    issues.add_argument("--year", type=int)
    issues.add_argument("--severity", choices=("error", "warn"))
    issues.add_argument("--unit", help="unit code, e.g. THADS-10")
    issues.add_argument("--status", default="open",
                        choices=("open", "acknowledged", "resolved", "all"))

    ack = commands.add_parser("ack", help="acknowledge an issue so it is not alerted again")
    ack.add_argument("fingerprint")
    ack.add_argument("--note", required=True, help="why it is acknowledged (kept with the issue)")
    ack.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)

    commands.add_parser("prepare", help="parse the dbt project if its manifest is missing or "
                        "stale (make setup runs it; a load does it too)")

    sample = commands.add_parser("sample", help="write the synthetic sample reports")
    sample.add_argument("--out", required=True, type=Path)
    sample.add_argument("--scale", choices=("cluster", "national"), default="cluster")
    sample.add_argument("--no-flawed", action="store_true",
                        help="leave out the deliberately flawed files")

    add_report_parser(commands)
    add_template_parser(commands)
    add_export_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings.disable_telemetry()
    args = _parser().parse_args(argv)
    try:
        command = {"load": _load, "issues": _issues, "ack": _ack, "prepare": _prepare,
                   "sample": _sample, "report": run_report, "template": run_template,
                   "export": run_export}[args.command]
        return command(args)
    except KeyboardInterrupt:
        print("tuphap: interrupted; the published warehouse is unchanged", file=sys.stderr)
        return 130


def _load(args: argparse.Namespace) -> int:
    from orchestration.dbt.warm import SOCKET_ENV, start_for_load
    from orchestration.warehouse.engine import engine_for

    try:
        engine = engine_for(settings.warehouse_address(args.warehouse))
        inbox = settings.inbox_path(args.inbox)
        scope = settings.scope(args.scope)
    except ValueError as error:
        print(f"tuphap load failed: {error}", file=sys.stderr)
        return 1
    # dbt imports and parses on the other core while this process imports Dagster and
    # ingests; the run's dbt resource uses this warm process (orchestration/dbt/warm.py).
    warm_dbt = start_for_load(engine, scope)
    os.environ[SOCKET_ENV] = str(warm_dbt.socket_path)
    try:
        from orchestration.cli.load import LoadError, run_load
        from orchestration.cli.progress import terminal_stream

        summary = run_load(
            engine=engine, inbox=inbox, scope=scope, years=args.years,
            wait_seconds=args.wait, trigger="cli", progress_to=terminal_stream(),
        )
    except (LoadError, ValueError) as error:
        print(f"tuphap load failed: {error}", file=sys.stderr)
        return 1
    finally:
        os.environ.pop(SOCKET_ENV, None)
        warm_dbt.stop()
    from orchestration.cli.summary import format_summary

    print(format_summary(summary, full=args.full_summary))
    return 0


def _issues(args: argparse.Namespace) -> int:
    from orchestration.quality.issues import format_issues_table, list_issues
    from orchestration.warehouse.engine import WarehouseMissingError, engine_for

    try:
        with engine_for(settings.warehouse_address(args.warehouse)).read_only() as con:
            rows = list_issues(
                con, year=args.year, severity=args.severity, unit=args.unit,
                status=None if args.status == "all" else args.status,
            )
    except WarehouseMissingError as error:
        print(f"tuphap issues: {error}", file=sys.stderr)
        return 1
    print(format_issues_table(rows))
    return 0


def _ack(args: argparse.Namespace) -> int:
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
        print(f"tuphap ack: {error}", file=sys.stderr)
        return 1
    if not found:
        print(f"tuphap ack: no issue with fingerprint {args.fingerprint}", file=sys.stderr)
        return 1
    print(f"acknowledged {args.fingerprint}: it will not be alerted again")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from orchestration.dbt.project import manifest_is_stale, prepare_if_stale

    if manifest_is_stale():  # the usual answer is no: then nothing but this check runs
        prepare_if_stale()
        print("tuphap prepare: dbt project parsed (dbt_project/target/manifest.json)")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from ingest.sample import write_sample

    manifest = write_sample(args.out, scale=args.scale, include_flawed=not args.no_flawed)
    files = manifest.files
    flawed = [f for f in files if f.flawed]
    print(f"wrote {len(files)} synthetic report files to {args.out} "
          f"({len(flawed)} deliberately flawed)")
    return 0


def run() -> None:
    """The `tuphap` command: `main`, then exit without the interpreter's final clean-up.

    Tearing down everything Dagster, dbt and DuckDB loaded takes ~2 s after a load, during
    which the data team waits for the prompt. By then every file, connection and helper
    process of the command is closed, so there is nothing left for it to do.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

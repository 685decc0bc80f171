"""`tuphap`: the data team's command line.

Each command is a module of this package with the same two functions: `add_parser(commands)`
adds its sub-command and arguments, `run(args)` runs it and returns the exit code. Heavy
imports (Dagster, dbt) happen only inside the `run` of the commands that need them, so
`tuphap --help` and the light commands start at once. `main` is the entry point: it turns
telemetry off for the command and what it starts.

The CLI is the top of orchestration's layers: nothing below imports it.
"""

from __future__ import annotations

import argparse
import os
import sys

from orchestration import settings
from orchestration.cli import (
    ack,
    export,
    held,
    issues,
    load,
    prepare,
    remind,
    reopen,
    report,
    reports,
    sample,
    targets,
    template,
)

COMMANDS = (load, issues, ack, reopen, held, prepare, sample, report, template, export, targets,
            remind, reports)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuphap", description="Justice-sector statistics warehouse: load, inspect, alert."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands).set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings.disable_telemetry()
    args = _parser().parse_args(argv)
    from orchestration.cli.failure import fail
    from orchestration.warehouse.errors import WarehouseUnreachableError

    try:
        return int(args.run(args))
    except WarehouseUnreachableError as error:
        # A wrong password, an unreachable server, a missing database, on any command: one
        # line naming the host, port, database and role (server.py), never a traceback.
        return fail(args.command, error)
    except KeyboardInterrupt:
        print("tuphap: interrupted; the published warehouse is unchanged", file=sys.stderr)
        return 130


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

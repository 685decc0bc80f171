"""`tuphap prepare`: parse the dbt project when its manifest is missing or stale."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return commands.add_parser("prepare", help="parse the dbt project if its manifest is "
                               "missing or stale (make setup runs it; a load does it too)")


def run(args: argparse.Namespace) -> int:
    from orchestration.dbt.project import manifest_is_stale, prepare_if_stale

    if manifest_is_stale():  # the usual answer is no: then nothing but this check runs
        prepare_if_stale()
        print("tuphap prepare: dbt project parsed (dbt_project/target/manifest.json)")
    return 0

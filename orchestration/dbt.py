"""The dbt project as Dagster assets: one `dbt build` per load, on the run's build copy."""


import importlib.metadata
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from orchestration import settings
from orchestration.warehouse import WarehouseResource
from orchestration.warmup import import_in_background

DB_PATH_ENV = "TUPHAP_DBT_DB_PATH"
SCOPE_ENV = "TUPHAP_SCOPE"

settings.disable_telemetry()

# The venv's dbt, whether or not the venv's bin folder is on PATH (e.g. `.venv/bin/tuphap`);
# dagster-dbt's manifest preparer looks dbt up on PATH.
VENV_BIN = str(Path(sys.executable).parent)
DBT_EXECUTABLE = str(Path(VENV_BIN) / "dbt")
if VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = VENV_BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
dbt_project.prepare_if_dev()


def _newest_source_mtime(project_dir: Path) -> float:
    patterns = ("*.sql", "*.yml", "*.csv", "*.md")
    folders = [project_dir / name for name in ("models", "macros", "seeds", "tests")]
    mtimes = [project_dir.joinpath("dbt_project.yml").stat().st_mtime]
    for folder in folders:
        for pattern in patterns:
            mtimes += [path.stat().st_mtime for path in folder.rglob(pattern)]
    return max(mtimes)


def prepare_if_stale(project: DbtProject = dbt_project) -> None:
    """Parse the dbt project when its manifest is missing or older than its sources.

    `prepare_if_dev` covers `dagster dev`; the CLI, schedules and tests need a fresh manifest
    too, and a stale one would silently run yesterday's models.
    """
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        project.project_dir
    ):
        project.preparer.prepare(project)


prepare_if_stale()


def dbt_build_args(*, full_refresh: bool = False, unit_tests: bool = False) -> list[str]:
    """The dbt command of a load. Pure, so the arguments are unit-tested.

    dbt unit tests check model logic on fixed inputs: CI runs them, a production load need not.
    Nothing run-specific goes into `--vars`: changed vars force dbt to re-parse the project.
    """
    args = ["build"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return args


def dbt_environment(*, database: Path, scope: str) -> dict[str, str]:
    """What the dbt profile and models read from the environment during one load."""
    if scope not in settings.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    return {DB_PATH_ENV: str(database), SCOPE_ENV: scope}


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of one dbt invocation (a subprocess)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class TuphapDbtTranslator(DagsterDbtTranslator):
    """Raw sources are the ingest asset's tables; groups follow the dbt layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """Models and seeds by name (unique across schemas); raw sources as raw/<table>."""
        if dbt_resource_props.get("resource_type") == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TuphapDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
    ),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Seeds, staging, intermediate, marts and quality models, with their dbt tests."""
    build_path = warehouse.build_path
    env = dbt_environment(database=build_path, scope=warehouse.resolved_scope)
    with environment(env):
        # dbt's run artifacts live beside the build file and go with it.
        target = build_path.parent / "dbt-target"
        events = dbt.cli(dbt_build_args(), context=context, target_path=target).stream()
        for count, event in enumerate(events):
            if count == 0:
                # dbt now runs in its own process: import what the quality step needs while
                # this one mostly waits (earlier, it would compete for this process's CPU).
                import_in_background("great_expectations")
            yield event
    keep_partial_parse(target, dbt_project)


def keep_partial_parse(target: Path, project: DbtProject) -> None:
    """Keep dbt's parse of this profile for the next load (it saves ~5 s a load).

    dagster-dbt seeds each invocation with the project's partial_parse.msgpack, but dbt
    discards that when the profile's database path differs from the one parsed with.
    """
    produced = target / "partial_parse.msgpack"
    if produced.exists():
        kept = project.project_dir / project.target_path / "partial_parse.msgpack"
        partial = kept.with_suffix(".partial")
        shutil.copyfile(produced, partial)
        os.replace(partial, kept)


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs paid on every load.

    Before each invocation dagster-dbt (0.29) runs `dbt --version` in a subprocess (~3 s) and
    builds a dbt adapter in the Dagster process (~4-7 s of loading dbt's macros) for optional
    metadata such as `fetch_row_counts()`, which this project does not use. The installed
    dbt-core is the one the venv pins, and the dbt subprocess does all the work. These override
    private hooks: revisit them when upgrading dagster-dbt.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


dbt_resource = WarehouseDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)

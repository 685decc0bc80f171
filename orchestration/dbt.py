"""The dbt project as Dagster assets: one `dbt build` per load, on the run's build copy."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import settings
from orchestration.warehouse import WarehouseResource

DB_PATH_ENV = "TUPHAP_DBT_DB_PATH"

settings.disable_telemetry()

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


def dbt_build_args(*, scope: str, full_refresh: bool = False) -> list[str]:
    """The dbt command of a load. Pure, so the arguments are unit-tested."""
    if scope not in settings.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    args = ["build", "--vars", json.dumps({"tuphap_scope": scope}, sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    return args


@contextmanager
def dbt_database(path: Path) -> Iterator[None]:
    """Point the dbt profile at this run's build file for the duration of one invocation."""
    previous = os.environ.get(DB_PATH_ENV)
    os.environ[DB_PATH_ENV] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DB_PATH_ENV, None)
        else:
            os.environ[DB_PATH_ENV] = previous


class TuphapDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layers (staging, intermediate, marts, quality)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TuphapDbtTranslator(),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Seeds, staging, intermediate, marts and quality models, with their dbt tests."""
    with dbt_database(warehouse.build_path):
        yield from dbt.cli(
            dbt_build_args(scope=warehouse.resolved_scope), context=context
        ).stream()


dbt_resource = DbtCliResource(project_dir=dbt_project)

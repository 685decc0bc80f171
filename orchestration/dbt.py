"""The dbt project as Dagster assets: one `dbt build` per load, on the run's build copy."""


import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration import dbt_selection, settings
from orchestration.dagster_dbt_lean import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtProject,
    dbt_assets,
)
from orchestration.dbt_env import dbt_environment, keep_parse, parse_cache_file
from orchestration.dbt_resource import ProjectPreparer, WarehouseDbtCliResource
from orchestration.dbt_warm import shim_path
from orchestration.warehouse import WarehouseResource

settings.disable_telemetry()

# The venv's dbt, whether or not the venv's bin folder is on PATH (e.g. `.venv/bin/tuphap`);
# dagster-dbt's manifest preparer looks dbt up on PATH.
VENV_BIN = str(Path(sys.executable).parent)
if VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = VENV_BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
# dbt_project.prepare_if_dev(), with a preparer that needs no dbt-core in this process.
preparer = ProjectPreparer()
preparer.prepare_if_dev(dbt_project)


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
        preparer.prepare(project)


prepare_if_stale()


def dbt_build_args(*, full_refresh: bool = False, unit_tests: bool = False,
                   selection: Sequence[str] = ()) -> list[str]:
    """The dbt command of a load. Pure, so the arguments are unit-tested.

    dbt unit tests check model logic on fixed inputs: CI runs them, a production load need not.
    Nothing run-specific goes into `--vars`: changed vars force dbt to re-parse the project.
    No dbt file log (dbt-target/dbt.log): dbt's lines reach the load's log (logs/loads.log)
    through dagster-dbt, and formatting each event a second time for the file cost ~7% of
    the build's CPU (~0,7 s for the demo inbox; at debug level, ~1,5 s more).
    """
    args = ["build", "--log-level-file", "none"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return [*args, *selection]


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
    context: dg.AssetExecutionContext, dbt: WarehouseDbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Seeds, staging, intermediate, marts and quality models, with their dbt tests: all of
    them in a first load, else only what this load's new inputs change (dbt_selection.py)."""
    build_path = warehouse.build_path
    scope = warehouse.resolved_scope
    whole_project = context.selected_asset_keys == set(context.assets_def.keys)
    with warehouse.connect() as con:
        inputs = dbt_selection.read_inputs(
            con, fingerprint=dbt_selection.project_fingerprint(dbt_project.project_dir),
            scope=scope)
        plan = (dbt_selection.plan_build(dbt_selection.read_previous(con), inputs)
                if whole_project else dbt_selection.BuildPlan("full", "models selected by hand"))
    context.log.info(f"dbt: {plan.kind} build ({plan.reason})")
    unchanged = set(context.selected_asset_keys)  # each one dbt rebuilds is removed below

    def left_as_is(key: dg.AssetKey) -> dg.MaterializeResult:
        # A table left as it was is part of the warehouse this run publishes, unchanged.
        # (Reported, too, because Dagster would skip the quality and publish steps otherwise.)
        return dg.MaterializeResult(asset_key=key, metadata={"rebuilt": False,
                                                            "why": plan.reason})

    def built_events() -> Iterator[Any]:
        if plan.kind == "none":
            return
        env = dbt_environment(database=build_path, scope=scope)
        with environment({**env, **dbt.warm_socket_environment()}):
            # dbt's run artifacts live beside the build file and go with it.
            target = build_path.parent / "dbt-target"
            invocation = dbt.cli(dbt_build_args(selection=plan.dbt_args), context=context,
                                 target_path=target)
            for event in invocation.stream():
                # A test result arrives as an observation of each model it reads: ~70 events
                # a load in the event log. A failing test fails the build; counts are logged.
                if isinstance(event, dg.AssetObservation):
                    continue
                if isinstance(event, dg.Output):
                    unchanged.discard(context.asset_key_for_output(event.output_name))
                yield event
            tests = dbt_test_outcomes(invocation.get_artifact("run_results.json"))
        context.log.info("dbt tests: " + (
            ", ".join(f"{n} {s}" for s, n in sorted(tests.items())) or "none run"))
        keep_partial_parse(target, dbt_project, build_path)

    dependencies = context.assets_def.asset_deps
    reported: set[dg.AssetKey] = set()
    for event in built_events():
        if isinstance(event, dg.Output):
            # Dagster wants a multi-asset's outputs in dependency order: first the tables left
            # as they were that this one reads (dbt itself builds in dependency order).
            key = context.asset_key_for_output(event.output_name)
            for ancestor in dbt_selection.ancestors_in_order(key, dependencies,
                                                             unchanged - reported):
                reported.add(ancestor)
                yield left_as_is(ancestor)
        yield event
    for key in dbt_selection.in_dependency_order(unchanged - reported, dependencies):
        yield left_as_is(key)
    if whole_project:
        with warehouse.connect() as con:
            dbt_selection.record(con, inputs, plan)


def dbt_test_outcomes(run_results: Mapping[str, Any]) -> dict[str, int]:
    """How many dbt tests ended in each status (pass, warn, ...), from run_results.json."""
    outcomes: dict[str, int] = {}
    for result in run_results.get("results", []):
        if str(result.get("unique_id", "")).startswith("test."):
            outcomes[result["status"]] = outcomes.get(result["status"], 0) + 1
    return outcomes


def keep_partial_parse(target: Path, project: DbtProject, database: Path) -> None:
    """Keep the parse a plain dbt run made (no warm process) for this warehouse's next load
    (dbt_env.parse_cache_file); dagster-dbt also seeds the next plain run with it."""
    produced = target / "partial_parse.msgpack"
    keep_parse(produced, parse_cache_file(project.project_dir, database), prune=True)
    keep_parse(produced, project.project_dir / project.target_path / "partial_parse.msgpack")


dbt_resource = WarehouseDbtCliResource(
    project_dir=dbt_project,
    # The shim runs the build in the run's warm dbt process, else it runs plain dbt (and plain
    # dbt it is where the project's console scripts are not installed).
    dbt_executable=str(shim_path() if shim_path().exists() else Path(VENV_BIN) / "dbt"),
)

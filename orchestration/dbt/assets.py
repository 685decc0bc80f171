"""The dbt project as Dagster assets: one `dbt build` per load, on the run's build.

Importing this module reads dbt's manifest, which must exist: setup and the code location's
loader prepare it (orchestration/dbt/project.py).
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg

from orchestration.dbt.invocation import report_unchanged, run_build
from orchestration.dbt.project import project as tuphap_dbt_project
from orchestration.dbt.resources import WarehouseDbtCliResource
from orchestration.dbt.selection import plan_load, record
from orchestration.runtime.vendor import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    dbt_assets,
)
from orchestration.warehouse.resources import WarehouseResource

project = tuphap_dbt_project()
if not project.manifest_path.exists():
    raise FileNotFoundError(f"no dbt manifest at {project.manifest_path}: run `make setup` or"
                            " `tuphap prepare` first")


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
    manifest=project.manifest_path,
    project=project,
    dagster_dbt_translator=TuphapDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
    ),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: WarehouseDbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Seeds, staging, intermediate, marts and quality models, with their dbt tests: all of
    them in a first load, else only what this load's new inputs change (selection.py)."""
    whole_project = context.selected_asset_keys == set(context.assets_def.keys)
    build = warehouse.build
    plan, inputs = plan_load(build, keeps_unchanged_models=warehouse.engine.keeps_unchanged_models,
                             project_dir=project.project_dir, scope=warehouse.resolved_scope,
                             whole_project=whole_project)
    context.log.info(f"dbt: {plan.kind} build ({plan.reason})")
    if plan.kind == "partial":
        build.carry_forward_models()
    events = run_build(dbt, context, plan=plan, env=warehouse.dbt_environment(),
                       folder=build.folder, project=project)
    # A table left as it was is part of the warehouse this run publishes, unchanged.
    yield from report_unchanged(
        events, selected=context.selected_asset_keys, dependencies=context.assets_def.asset_deps,
        key_for_output=context.asset_key_for_output,
        left_as_is=lambda key: dg.MaterializeResult(
            asset_key=key, metadata={"rebuilt": False, "why": plan.reason}))
    if whole_project:
        record(build, inputs, plan)

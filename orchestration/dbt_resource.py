"""The dbt CLI resource of a load: dagster-dbt's, minus per-call start-up costs, plus a warm dbt."""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
import importlib.metadata
import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

import dagster as dg
from packaging import version
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.dagster_dbt_lean import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from orchestration.dbt_warm import SOCKET_ENV, WarmDbt, start_for_load


def run_warehouse(run_config: Mapping | None) -> tuple[Path, str]:
    """The published warehouse and scope a run's `warehouse` resource will resolve to.

    The same resolution as WarehouseResource (run config, then TUPHAP_* variables, then the
    defaults), read before that resource exists. Only a hint for the warm parse: if it is
    wrong, the warm process notices the difference and parses again.
    """
    resources = (run_config or {}).get("resources") or {}
    config = (resources.get("warehouse") or {}).get("config") or {}
    return settings.warehouse_path(config.get("path")), settings.scope(config.get("scope"))


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, with dbt warm before the build needs it.

    Start-up costs removed: before each invocation dagster-dbt (0.29) runs `dbt --version` in
    a subprocess (~3 s) and builds a dbt adapter in the Dagster process (~4-7 s of loading
    dbt's macros) for optional metadata such as `fetch_row_counts()`, which this project does
    not use. The installed dbt-core is the one the venv pins, and the dbt process does all the
    work. These override private hooks: revisit them when upgrading dagster-dbt.

    Warm start (`warm_start`, on by default): when the run starts, a dbt process imports dbt
    and parses the project for the run's warehouse while the load ingests; `dbt_executable` is
    the `tuphap-dbt` shim, which runs the build there (orchestration/dbt_warm.py). A warm
    process the CLI already started for this load (its socket in TUPHAP_DBT_WARM_SOCKET) is
    used instead of a second one.
    """

    warm_start: bool = True

    _warm: WarmDbt | None = PrivateAttr(default=None)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        if not self.warm_start or os.environ.get(SOCKET_ENV):
            return
        published, scope = run_warehouse(context.dagster_run.run_config
                                         if context.dagster_run else None)
        self._warm = start_for_load(
            published, scope, project_dir=Path(self.project_dir),
            profiles_dir=Path(self.profiles_dir or self.project_dir))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._warm is not None:
            self._warm.stop()
            self._warm = None

    def warm_socket_environment(self) -> dict[str, str]:
        """Set for the build's dbt call: where the shim finds this run's warm process."""
        if self._warm is not None:
            return {SOCKET_ENV: str(self._warm.socket_path)}
        return {}


class ProjectPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (`dbt parse` to a fresh manifest.json), run with the resource above:
    the stock one would build a dbt adapter, and so import dbt-core, in this process. This
    overrides a private hook too: revisit it when upgrading dagster-dbt."""

    def _prepare_manifest(self, project: DbtProject) -> None:
        resource = WarehouseDbtCliResource(project_dir=project, warm_start=False)
        resource.cli(self._prepare_project_cli_args, target_path=project.target_path).wait()
        self._invalidate_seeds_in_partial_parse(project)

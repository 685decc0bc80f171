"""The dbt CLI resource of a load: dagster-dbt's, minus per-call start-up costs, plus a warm dbt."""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.dbt.project import VENV_DBT, project
from orchestration.dbt.warm_start import start_warm_dbt
from orchestration.runtime.vendor import LeanDbtCliResource
from orchestration.runtime.warm_dbt import ORIGIN_ENV, SOCKET_ENV, WarmDbt, shim_path
from orchestration.warehouse.engine import WarehouseEngine, engine_for


def run_warehouse(run_config: Mapping | None) -> tuple[WarehouseEngine, str]:
    """The warehouse and scope a run's `warehouse` resource will resolve to.

    The same resolution as WarehouseResource (run config, then TUPHAP_* variables, then the
    defaults), read before that resource exists. Only a hint for the warm parse: if it is
    wrong, the warm process notices the difference and parses again.
    """
    resources = (run_config or {}).get("resources") or {}
    config = (resources.get("warehouse") or {}).get("config") or {}
    return (engine_for(settings.warehouse_address(config.get("path"))),
            settings.scope(config.get("scope")))


class WarehouseDbtCliResource(LeanDbtCliResource):
    """dagster-dbt's resource (without its start-up costs: orchestration/runtime/vendor.py),
    with dbt warm before the build needs it.

    Warm start (`warm_start`, on by default): when the run starts, a dbt process imports dbt
    and parses the project for the run's warehouse while the load ingests; `dbt_executable` is
    the `tuphap-dbt` shim, which runs the build there (orchestration/runtime/warm_dbt.py). A warm
    process the CLI already started for this load (its socket in TUPHAP_DBT_WARM_SOCKET) is
    used instead of a second one.
    """

    warm_start: bool = True

    _warm: WarmDbt | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        if not self.warm_start:
            return
        if not os.environ.get(SOCKET_ENV):
            engine, scope = run_warehouse(context.dagster_run.run_config
                                          if context.dagster_run else None)
            self._warm = start_warm_dbt(
                engine, scope, project_dir=Path(self.project_dir),
                profiles_dir=Path(self.profiles_dir or self.project_dir))
        origin = self._warm.origin if self._warm is not None else os.environ.get(ORIGIN_ENV)
        if origin and context.log is not None:
            context.log.info(f"dbt's warm process: {origin}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._warm is not None:
            self._warm.stop()
            self._warm = None

    def warm_socket_environment(self) -> dict[str, str]:
        """Set for the build's dbt call: where the shim finds this run's warm process."""
        if self._warm is not None:
            return {SOCKET_ENV: str(self._warm.socket_path)}
        return {}


def dbt_resource() -> WarehouseDbtCliResource:
    """The load's dbt resource. The shim runs the build in the run's warm dbt process, else it
    runs plain dbt (and plain dbt it is where the project's console scripts are not
    installed)."""
    return WarehouseDbtCliResource(
        project_dir=project(),
        dbt_executable=str(shim_path() if shim_path().exists() else VENV_DBT),
    )

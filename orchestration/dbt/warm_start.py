"""The warm dbt process of a load of one warehouse (orchestration/runtime/warm_dbt.py).

Light on purpose (no Dagster, no dbt): `tuphap load` starts the warm process before it imports
Dagster, so dbt's import and parse overlap everything else; the dbt resource starts one the
same way for runs the CLI did not start.
"""

from __future__ import annotations

from pathlib import Path

from orchestration import settings
from orchestration.runtime.warm_dbt import WarmDbt, start_for_load
from orchestration.warehouse.engine import WarehouseEngine


def start_warm_dbt(engine: WarehouseEngine, scope: str, *,
                   project_dir: Path = settings.DBT_PROJECT_DIR,
                   profiles_dir: Path = settings.DBT_PROJECT_DIR) -> WarmDbt:
    """Start the warm dbt process of a load of `engine`'s warehouse in `scope`."""
    return start_for_load(target=engine.dbt_environment(), scope=scope,
                          logs_dir=engine.logs_dir, project_dir=project_dir,
                          profiles_dir=profiles_dir)

"""The overrides of private dagster-dbt and Dagster APIs (orchestration/runtime/vendor.py).

The canary tests assert that every private name the overrides touch still exists with the
signature expected, and that dagster-dbt still calls it as expected: after an upgrade, a test
fails here, not a benchmark later. Then the overrides at work: dagster-dbt without dbt-core.
"""
# ruff: noqa: SLF001 - the canary reads the private names vendor.py overrides, on purpose

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import pytest
from dagster._core.execution.compute_logs import execute_posix_tail, redirect_to_file
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager
from dagster._utils import ensure_file, touch_file
from dagster_shared import record

from orchestration import settings
from orchestration.dbt.project import VENV_DBT
from orchestration.runtime.vendor import (
    DagsterDbtProjectPreparer,
    DbtCliResource,
    DbtProject,
    LeanProjectPreparer,
    hidden,
    with_preparer,
)


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_dbt_resource_hooks_are_still_there_and_still_called_so() -> None:
    version = inspect.getattr_static(DbtCliResource, "_cli_version")
    assert isinstance(version, cached_property)
    assert _parameters(version.func) == ["self"]
    assert _parameters(DbtCliResource._initialize_dbt_core_adapter) == ["self", "args"]
    # dagster-dbt calls the adapter hook inside a bare `except:`, which would hide a changed
    # call: the call itself is checked.
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._initialize_dbt_core_adapter(args)" in cli
    assert "self._cli_version" in cli


def test_the_project_preparer_hooks_are_still_there_and_still_called_so() -> None:
    assert _parameters(DagsterDbtProjectPreparer.__init__) == [
        "self", "prepare_project_cli_args"]
    assert _parameters(DagsterDbtProjectPreparer._prepare_manifest) == ["self", "project"]
    assert _parameters(DagsterDbtProjectPreparer._invalidate_seeds_in_partial_parse) == [
        "self", "project"]
    assert "self._prepare_manifest" in inspect.getsource(DagsterDbtProjectPreparer.prepare)
    assert LeanProjectPreparer(VENV_DBT)._prepare_project_cli_args == ["parse", "--quiet"]


def test_a_project_takes_the_lean_preparer_and_stays_the_same_project() -> None:
    assert _parameters(record.replace) == ["obj", "kwargs"]
    assert "self.preparer.prepare_if_dev(self)" in inspect.getsource(DbtProject.prepare_if_dev)
    stock = DbtProject(settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
    preparer = LeanProjectPreparer(VENV_DBT)
    lean = with_preparer(stock, preparer)
    assert isinstance(lean, DbtProject) and lean.preparer is preparer
    assert (lean.project_dir, lean.manifest_path, lean.name) == (
        stock.project_dir, stock.manifest_path, stock.name)


def test_the_sqlite_event_log_internals_are_still_there() -> None:
    assert _parameters(SqliteEventLogStorage.__init__) == ["self", "base_dir", "inst_data"]
    assert _parameters(SqliteEventLogStorage.from_config_value) == ["inst_data", "config_value"]
    assert _parameters(SqliteEventLogStorage._connect) == ["self", "shard"]
    assert _parameters(SqliteEventLogStorage._initdb) == ["self", "engine", "for_index_shard"]
    assert _parameters(SqliteEventLogStorage.conn_string_for_shard) == ["self", "shard_name"]
    assert _parameters(SqliteEventLogStorage.dispose) == ["self"]
    init = inspect.getsource(SqliteEventLogStorage.__init__)
    assert "self._initialized_dbs = set()" in init and "self._db_lock = threading.Lock()" in init


def test_the_compute_log_internals_are_still_there() -> None:
    """orchestration/runtime/compute_logs.py: Dagster's local manager with its own mirror."""
    assert _parameters(LocalComputeLogManager.__init__) == [
        "self", "base_dir", "polling_timeout", "inst_data"]
    assert _parameters(LocalComputeLogManager.capture_logs) == ["self", "log_key"]
    assert _parameters(LocalComputeLogManager.get_captured_local_path) == [
        "self", "log_key", "extension", "partial"]
    assert _parameters(LocalComputeLogManager.complete_artifact_path) == ["self", "log_key"]
    assert _parameters(redirect_to_file) == ["stream", "filepath"]
    assert _parameters(ensure_file) == ["path"]
    assert _parameters(touch_file) == ["path"]
    # The stock mirror this one replaces: what capture_logs did, and the watcher it started.
    assert "mirror_stream_to_file(sys.stdout" in inspect.getsource(
        LocalComputeLogManager.capture_logs)
    assert "watch_orphans" in inspect.getsource(execute_posix_tail)


def test_a_hidden_package_cannot_be_imported_until_the_block_ends() -> None:
    sys.modules.pop("colorsys", None)
    with hidden("colorsys"), pytest.raises(ModuleNotFoundError, match="colorsys"):
        import colorsys
    import colorsys  # noqa: F401 - importable again after the block

    with hidden("json"):  # already imported: nothing to save, nothing hidden
        import json  # noqa: F401


def test_loading_the_code_location_does_not_import_dbt_core() -> None:
    # A fresh interpreter: in this one, other tests may have imported dbt already.
    probe = ("import sys, orchestration.definitions as d; "
             "assert d.defs.resolve_asset_graph().get_all_asset_keys(); "
             "print(sorted(m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == "[]"


def test_a_stale_manifest_is_parsed_again_without_dbt_core_here(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "logs"))
    probe = ("import sys; from pathlib import Path; "
             "from orchestration.dbt.project import VENV_DBT; "
             "from orchestration.runtime.vendor import DbtProject, LeanProjectPreparer; "
             f"project = DbtProject({str(project)!r}, profiles_dir={str(project)!r}); "
             "LeanProjectPreparer(VENV_DBT).prepare(project); "
             "assert project.manifest_path.exists(); "
             "print(sorted(m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=300, cwd=tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "error was encountered" not in result.stderr  # dagster-dbt's adapter warning


def test_dagster_dbt_still_reads_dbt_events_through_stream_raw_events() -> None:
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    assert _parameters(DbtCliInvocation.stream_raw_events) == ["self"]
    # tap_raw_events wraps the method on the instance: `stream` must call it through self.
    assert "self.stream_raw_events()" in inspect.getsource(DbtCliInvocation)

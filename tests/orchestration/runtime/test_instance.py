"""The project's Dagster instance: its dagster.yaml, and the event log that keeps its SQLite
connections open (orchestration/runtime/instance.py, orchestration/runtime/vendor.py), with
real instances and a second process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from orchestration.runtime.instance import (
    REPORTS_TAG,
    WAREHOUSE_TAG,
    dagster_home,
    describe_instance,
    is_embedded,
)
from orchestration.runtime.vendor import PooledSqliteEventLogStorage

WRITER = """
import dagster as dg
from dagster._core.instance.ref import InstanceRef

@dg.asset
def written_elsewhere(context) -> None:
    for i in range(50):
        context.log.info(f"from the other process {{i}}")

with dg.DagsterInstance.from_ref(InstanceRef.from_dir({home!r})) as instance:
    assert dg.materialize([written_elsewhere], instance=instance).success
"""


@dg.asset
def written_here(context) -> None:  # noqa: ANN001 - Dagster reads annotations at runtime
    for i in range(50):
        context.log.info(f"from this process {i}")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return dagster_home()


def _instance(home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def test_the_instance_uses_the_pooled_event_log(home: Path) -> None:
    assert "PooledSqliteEventLogStorage" in (home / "dagster.yaml").read_text()
    with _instance(home) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)


def test_the_embedded_instance_queues_one_load_per_warehouse_too(home: Path) -> None:
    """As the service's instance (deploy/dagster.yaml): `make dev` and `make serve` without
    PostgreSQL keep the sensor, the schedule and the UI from starting two loads of one
    warehouse."""
    assert is_embedded(home)
    assert "embedded" in describe_instance(home)
    with _instance(home) as instance:
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        assert queue.tag_concurrency_limits == [
            {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
            {"key": REPORTS_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]


def test_runs_written_by_two_processes_at_once_are_all_readable(home: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", WRITER.format(home=str(home))],
                             env={**os.environ, "DAGSTER_HOME": str(home)})
    with _instance(home) as instance:
        here = dg.materialize([written_here], instance=instance)
    assert other.wait(120) == 0
    assert here.success
    # A fresh instance (as the UI or the daemon would open it) reads both runs in full.
    with _instance(home) as instance:
        runs = instance.get_runs()
        assert len(runs) == 2
        for run in runs:
            messages = [e.user_message for e in instance.all_logs(run.run_id)]
            assert sum(m.startswith(("from this process", "from the other process"))
                       for m in messages) == 50
        materialized = {key.to_user_string() for key in instance.get_asset_keys()}
        assert {"written_here", "written_elsewhere"} <= materialized


def test_an_instance_of_an_earlier_version_gets_the_new_config(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    home = tmp_path / "old"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    (home / ".storage-ready").touch()  # what the earlier version left
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    dagster_home()
    assert "PooledSqliteEventLogStorage" in (home / "dagster.yaml").read_text()


def test_a_config_someone_wrote_is_left_alone(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "custom"
    home.mkdir()
    custom = "telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true\n"
    (home / "dagster.yaml").write_text(custom)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    dagster_home()
    assert (home / "dagster.yaml").read_text() == custom
    assert not is_embedded(home)

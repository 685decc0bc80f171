"""deploy/dagster.yaml on a real PostgreSQL server: what the service's instance is made of, and
that nothing of the embedded instance's SQLite tuning (orchestration/runtime/instance.py) is in
it."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from orchestration.runtime.compute_logs import TiedComputeLogManager
from orchestration.runtime.instance import (
    REPORTS_TAG,
    WAREHOUSE_TAG,
    dagster_home,
    describe_instance,
)
from orchestration.runtime.vendor import PooledSqliteEventLogStorage
from tests.deploy.service import DEPLOY_YAML, instance_database
from tests.postgres_server import PostgresServer


@dg.asset
def recorded(context) -> None:  # noqa: ANN001 - Dagster reads annotations at runtime
    for i in range(20):
        context.log.info(f"event {i}")


def test_the_service_instance_is_postgresql_with_a_queue_per_warehouse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: PostgresServer) -> None:
    database, variables = instance_database(postgres_server, "dagster_yaml")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    assert dagster_home() == home  # as `tuphap load` and `make serve` open it
    assert (home / "dagster.yaml").read_bytes() == DEPLOY_YAML.read_bytes()
    assert "PostgreSQL" in describe_instance(home)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert not isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        # psycopg2: with psycopg 3 every event's NOTIFY fails (stack-facts.md).
        assert instance.run_storage.postgres_url.startswith("postgresql+psycopg2://")
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        assert queue.tag_concurrency_limits == [
            {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
            {"key": REPORTS_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_runtime_seconds > 0
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert not instance.telemetry_enabled
        # Captured output where Dagster keeps it, mirrored by a tail that ends with its run.
        assert isinstance(instance.compute_log_manager, TiedComputeLogManager)
        assert instance.compute_log_manager._base_dir == str(home / "storage")  # noqa: SLF001
        result = dg.materialize([recorded], instance=instance)
    assert result.success
    with psycopg.connect(database) as con:
        assert con.execute("select status from runs").fetchall() == [("SUCCESS",)]
        logged = con.execute("select count(*) from event_logs where run_id = %s",
                             [result.run_id]).fetchone()
    assert logged is not None and logged[0] > 20
    assert not (home / "history").exists()  # no SQLite storage beside it


def test_the_file_holds_no_secret_and_reads_every_setting_from_the_environment() -> None:
    text = DEPLOY_YAML.read_text()
    for variable in ("DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_HOST",
                     "DAGSTER_PG_PORT", "DAGSTER_PG_DB"):
        assert f"{{env: {variable}}}" in text
    assert "PooledSqliteEventLogStorage" not in text and "sqlite" not in text.lower()

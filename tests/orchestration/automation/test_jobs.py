"""The load job's warehouse tag (orchestration/automation/jobs.py): one value per warehouse,
never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.automation.jobs import (
    WAREHOUSE_TAG,
    load_job,
    warehouse_tag_value,
    warehouse_tags,
)
from orchestration.runtime.instance import instance_config


def test_a_duckdb_file_is_tagged_by_its_absolute_path(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert warehouse_tag_value("w/tuphap.duckdb") == str(tmp_path / "w" / "tuphap.duckdb")
    assert warehouse_tag_value(str(tmp_path / "w" / "tuphap.duckdb")) == \
        warehouse_tag_value("w/../w/tuphap.duckdb")


def test_a_server_url_is_tagged_without_its_password_or_options() -> None:
    tag = warehouse_tag_value("postgresql://loader:s3cr%40t@db.example:5433/tuphap"
                              "?sslmode=require&password=other")
    assert tag == "postgresql://loader@db.example:5433/tuphap"
    assert warehouse_tag_value("postgres://u:s3cr@h/d") == "postgresql://u@h:5432/d"


def test_the_tag_follows_the_environment_and_is_on_the_job(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "x.duckdb"))
    assert warehouse_tags() == {WAREHOUSE_TAG: str(tmp_path / "x.duckdb")}
    assert warehouse_tags(str(tmp_path / "y.duckdb")) == {WAREHOUSE_TAG: str(tmp_path / "y.duckdb")}
    # On the job's tags (a run launched in the UI gets those), and so on its runs' tags.
    assert WAREHOUSE_TAG in load_job().tags
    # The instance's limit is on this very tag (the service's dagster.yaml: tests/deploy/).
    assert f"key: {WAREHOUSE_TAG}\n" in instance_config(tmp_path)

"""The load's dbt resource (orchestration/dbt/resources.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.dbt.resources import run_warehouse
from orchestration.warehouse.engine import engine_for


def test_the_dbt_resource_reads_the_warehouse_the_run_will_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUPHAP_WAREHOUSE", raising=False)
    monkeypatch.delenv("TUPHAP_SCOPE", raising=False)
    config = {"resources": {"warehouse": {"config": {"path": str(tmp_path / "w.duckdb"),
                                                     "scope": "national"}}}}
    assert run_warehouse(config) == (engine_for(tmp_path / "w.duckdb"), "national")
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert run_warehouse(None) == (engine_for(tmp_path / "env.duckdb"), "cluster")
    assert run_warehouse({"resources": {"warehouse": {}}})[0] == engine_for(
        tmp_path / "env.duckdb")

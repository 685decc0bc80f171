"""Helpers of a load come two ways: `kind` runs a test for each. And what dbt needs to build a
test warehouse the way a load's build does."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.runtime.dbt_env import build_environment
from orchestration.runtime.preload_client import PRELOAD_ENV
from orchestration.warehouse.duckdb import build_dir, build_file
from orchestration.warehouse.engine import engine_for


@pytest.fixture(params=["spawned", "preloaded"])
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the helper comes from: a new process, or the suite's preload server (in
    TUPHAP_PRELOAD, with Great Expectations and dbt imported: tests/conftest.py)."""
    if request.param == "spawned":
        monkeypatch.delenv(PRELOAD_ENV, raising=False)
    else:
        assert os.environ.get(PRELOAD_ENV), "tests/conftest.py starts the preload server"
    return str(request.param)


def origin_of(kind: str) -> str:
    """How a helper of `kind` says where it came from."""
    return "forked by the preload server" if kind == "preloaded" else "a new process"


def load_env(published: Path, target: Path, scope: str = "cluster") -> dict[str, str]:
    """The environment of a load's dbt build of the DuckDB warehouse `published`, with its
    artifacts and logs in `target`."""
    published.parent.mkdir(parents=True, exist_ok=True)
    build_dir(published).mkdir(parents=True, exist_ok=True)
    project = settings.DBT_PROJECT_DIR
    return {**build_environment(target=engine_for(published).dbt_environment(), scope=scope,
                                project_dir=project, profiles_dir=project),
            "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}


def provinces_built(published: Path) -> int:
    """How many provinces the build of `published` holds."""
    con = duckdb.connect(str(build_file(published)), read_only=True)
    try:
        return con.execute("select count(*) from reference.ref_provinces").fetchone()[0]
    finally:
        con.close()

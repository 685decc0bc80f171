"""Real dbt builds of the quality models on real DuckDB files, shared per test session.

Each dataset (tests/quality/dataset.py) is written to its own DuckDB file with the raw DDL and
built once per session (per xdist worker) with dbt in-process: the quality models and
everything upstream of them, with the quality models' own dbt tests. Tests that change a
warehouse work on a copy (`warehouse_copy`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from orchestration.warehouse.duckdb import DuckDBConnection
from tests.quality.dataset import Dataset, clean_dataset, violations_dataset

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


_MANIFEST: dict[str, Any] = {}  # the parsed project, shared by every invocation of a worker


def parsed_manifest(work_dir: Path) -> Any:
    """Parse the dbt project once per process: later invocations reuse it (saves ~7 s each).

    Vars passed with --vars are still rendered per invocation when models are compiled.
    """
    from dbt.cli.main import dbtRunner

    if "manifest" not in _MANIFEST:
        result = dbtRunner().invoke(["parse", *_common_args(work_dir)])
        if not result.success:
            raise AssertionError(f"dbt parse failed: {result.exception}")
        _MANIFEST["manifest"] = result.result
    return _MANIFEST["manifest"]


def _common_args(work_dir: Path) -> list[str]:
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
            "--quiet"]


def run_dbt(db_path: Path, work_dir: Path, args: list[str],
            dbt_vars: dict[str, Any] | None = None) -> None:
    """One in-process dbt invocation against `db_path`; raises with dbt's failures.

    The file is named tuphap.duckdb everywhere, so the database name the manifest was parsed
    with ("tuphap") matches every warehouse.
    """
    from dbt.cli.main import dbtRunner

    assert db_path.name == "tuphap.duckdb"
    manifest = parsed_manifest(work_dir)
    previous = os.environ.get("TUPHAP_DBT_DB_PATH")
    os.environ["TUPHAP_DBT_DB_PATH"] = str(db_path)
    try:
        full = [*args, *_common_args(work_dir)]
        if dbt_vars:
            full += ["--vars", json.dumps(dbt_vars)]
        result = dbtRunner(manifest=manifest).invoke(full)
    finally:
        if previous is None:
            os.environ.pop("TUPHAP_DBT_DB_PATH", None)
        else:
            os.environ["TUPHAP_DBT_DB_PATH"] = previous
    if not result.success:
        failures = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) not in ("success", "pass"):
                failures.append(f"{node.node.name}: {node.status} {node.message}")
        raise AssertionError(f"dbt {' '.join(args)} failed: {result.exception or failures}")
    # dbt-duckdb may keep the database open in this process: flush everything to the file so
    # copies of it are complete.
    con = DuckDBConnection.open(db_path)
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def build_quality_models(dataset: Dataset, work_dir: Path,
                         dbt_vars: dict[str, Any] | None = None) -> Path:
    """Write the dataset's raw tables and dbt-build the quality models and their upstream."""
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "tuphap.duckdb"
    dataset.write(db_path)
    # Upstream models without their tests (the dbt suite owns those), then the quality models
    # with their own tests (primary keys, accepted values).
    run_dbt(db_path, work_dir, ["build", "--select", "+path:models/quality",
                                "--exclude-resource-type", "test"], dbt_vars)
    run_dbt(db_path, work_dir, ["test", "--select", "path:models/quality"], dbt_vars)
    return db_path


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_quality_models(clean_dataset(), tmp_path_factory.mktemp("dq_clean"))


@pytest.fixture(scope="session")
def violations_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_quality_models(violations_dataset(), tmp_path_factory.mktemp("dq_violations"))


WarehouseCopy = Callable[[Path], Path]


@pytest.fixture
def warehouse_copy(tmp_path: Path) -> Iterator[WarehouseCopy]:
    """copy(path) -> a private copy of a built warehouse, for tests that write to it."""

    def copy(source: Path) -> Path:
        folder = tmp_path / f"copy_of_{source.parent.name}"
        folder.mkdir()
        target = folder / "tuphap.duckdb"
        shutil.copyfile(source, target)
        return target

    yield copy


@pytest.fixture
def closed_port() -> Iterator[Callable[[], int]]:
    """closed_port() -> a port of 127.0.0.1 that refuses connections until the test ends.

    The port stays bound (never listening) for the whole test: a port closed again at once
    could be taken by another process meanwhile, and the "dead" channel would answer."""
    with ExitStack() as sockets:

        def bind() -> int:
            held = sockets.enter_context(socket.socket())
            held.bind(("127.0.0.1", 0))
            return int(held.getsockname()[1])

        yield bind

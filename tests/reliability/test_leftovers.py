"""A killed load's dbt is found by its environment and stopped; onlookers are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from orchestration.warehouse import processes_started_for, stop_leftover_processes

SLEEP = "import time, sys; f = open(sys.argv[1]) if len(sys.argv) > 1 else None; time.sleep(600)"


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SLEEP, *args], env=env)


def test_only_processes_started_for_the_build_are_stopped(tmp_path: Path) -> None:
    build = tmp_path / ".build"
    build.mkdir()
    (build / "dbt.log").write_text("x")
    # As dagster-dbt starts dbt for a load: the build paths in its environment.
    dbt = _spawn({**os.environ, "TUPHAP_DBT_DB_PATH": str(build / "tuphap.duckdb"),
                  "DBT_TARGET_PATH": str(build / "dbt-target")})
    # Someone reading a file of the build folder, and an unrelated process.
    onlooker = _spawn(dict(os.environ), str(build / "dbt.log"))
    other = _spawn({**os.environ, "TUPHAP_DBT_DB_PATH": str(tmp_path / "elsewhere.duckdb")})
    try:
        deadline = time.monotonic() + 30
        while dbt.pid not in processes_started_for(build) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_started_for(build) == [dbt.pid]
        start = time.monotonic()
        assert stop_leftover_processes(build, grace_seconds=5) == [dbt.pid]
        assert dbt.wait(5) != 0
        assert time.monotonic() - start < 5
        assert onlooker.poll() is None and other.poll() is None
        assert stop_leftover_processes(build) == []
    finally:
        for proc in (dbt, onlooker, other):
            if proc.poll() is None:
                proc.kill()
            proc.wait()

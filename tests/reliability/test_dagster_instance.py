"""Two loads creating a fresh Dagster instance at once (the first use on a machine)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.reliability.conftest import INIT_INSTANCE, ROOT

# Each process imports Dagster, says it is ready, waits for the go file, then opens the
# instance exactly as `tuphap load` does (orchestration.cli.load.run_load).
FIRST_USE = """
import sys, time
from pathlib import Path
import dagster as dg
from orchestration.runtime.instance import dagster_home
Path(sys.argv[2]).touch()
while not Path(sys.argv[1]).exists():
    time.sleep(0.001)
dagster_home()
with dg.DagsterInstance.get() as instance:
    instance.get_runs(limit=1)
"""


def test_two_loads_creating_a_fresh_dagster_instance_at_once_leave_it_usable(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-c", FIRST_USE, str(go), str(flag)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for flag in ready]
    deadline = time.monotonic() + 300
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    outcomes = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        outcomes.append((proc.returncode, err.decode()[-300:]))
    runs = sqlite3.connect(tmp_path / "dagster_home" / "history" / "runs.db")
    try:
        heads = runs.execute("select version_num from alembic_version").fetchall()
    finally:
        runs.close()
    later = subprocess.run([sys.executable, "-c", INIT_INSTANCE], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert [rc for rc, _ in outcomes] == [0, 0, 0, 0], outcomes
    assert len(heads) == 1, heads
    assert later.returncode == 0, later.stderr[-500:]

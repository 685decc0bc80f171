"""A real `tuphap load` of the sample inbox, shared by the end-to-end tests of a session."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ingest.builders import write_unloadable_files

ROOT = Path(__file__).resolve().parents[2]
TUPHAP = [sys.executable, "-m", "orchestration.cli"]


@dataclass
class Loaded:
    inbox: Path
    warehouse: Path
    dagster_home: Path
    env: dict[str, str]
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess | None = None


def tuphap(
    args: list[str], env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run the real console entry point in a fresh process, as the data team does."""
    return subprocess.run(
        [*TUPHAP, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def isolated_env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUPHAP_")}
    env.update({
        "TUPHAP_WAREHOUSE": str(base / "warehouse" / "tuphap.duckdb"),
        "TUPHAP_INBOX": str(base / "inbox"),
        "DAGSTER_HOME": str(base / "dagster_home"),
        "TUPHAP_ALERT_LOG": str(base / "warehouse" / "alerts.log"),
        "PYTHONIOENCODING": "utf-8",
    })
    return env


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    base = tmp_path_factory.mktemp("demo")
    env = isolated_env(base)
    sample = tuphap(["sample", "--out", str(base / "inbox")], env)
    assert sample.returncode == 0, sample.stderr
    # Beside the sample: one file of every unloadable kind of report-format.md.
    write_unloadable_files(base / "inbox" / "unloadable")
    first = tuphap(["load"], env)
    assert first.returncode == 0, first.stdout + first.stderr
    return Loaded(base / "inbox", base / "warehouse" / "tuphap.duckdb", base / "dagster_home",
                  env, first)

"""A real `tuphap load` of the sample inbox, shared by the end-to-end tests of a session.

The same inbox is loaded once more into a PostgreSQL warehouse (tests/e2e/postgres_load.py),
and `published` runs a test's queries on either: the end-to-end assertions (published figures,
planted issues, rejections, corrections, mergers) take it, so they hold on both engines.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.runtime.preload_client import PRELOAD_ENV
from orchestration.settings import YEARLY_REPORTS_ENV
from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.sql import run_query
from tests.ingest.builders import write_unloadable_files
from tests.postgres_server import postgres_server  # noqa: F401 - the session's server

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


def isolated_env(base: Path, *, reports_after_load: bool = False) -> dict[str, str]:
    """A load's environment under `base`. The yearly reports a load leaves in the background
    (~6 s of a core each) are made only for the tests that read them (`reports_after_load`):
    elsewhere they would only compete with the test's next step."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TUPHAP_") or k == PRELOAD_ENV}  # the suite's preload server
    env.update({
        "TUPHAP_WAREHOUSE": str(base / "warehouse" / "tuphap.duckdb"),
        "TUPHAP_INBOX": str(base / "inbox"),
        "DAGSTER_HOME": str(base / "dagster_home"),
        "TUPHAP_ALERT_LOG": str(base / "warehouse" / "alerts.log"),
        "PYTHONIOENCODING": "utf-8",
    })
    if not reports_after_load:
        env[YEARLY_REPORTS_ENV] = "off"
    return env


# What `tuphap load` says of the yearly reports it left being made in the background.
BACKGROUND_REPORTS = re.compile(
    r"in the background \(pid (\d+)\).*?Dagster run (\S+) has ended \(log: ([^)]+)\)", re.S)


def wait_for_reports(done: subprocess.CompletedProcess, timeout: float = 600) -> str:
    """Wait for the yearly reports a `tuphap load` left being made in the background (its
    summary names the process, the run and the log) and return what the log says of that run;
    "" when the load started none. A ceiling only: the process ends by itself."""
    found = BACKGROUND_REPORTS.search(done.stdout)
    if found is None:
        return ""
    pid, run_id, log = int(found.group(1)), found.group(2), Path(found.group(3))
    deadline = time.monotonic() + timeout
    while _running(pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"the yearly reports of run {run_id} still running")
        time.sleep(0.1)
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert f"=== done: run {run_id}" in text, text[-3000:]
    return text


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    base = tmp_path_factory.mktemp("demo")
    env = isolated_env(base, reports_after_load=True)
    sample = tuphap(["sample", "--out", str(base / "inbox")], env)
    assert sample.returncode == 0, sample.stderr
    # Beside the sample: one file of every unloadable kind of report-format.md.
    write_unloadable_files(base / "inbox" / "unloadable")
    first = tuphap(["load"], env)
    assert first.returncode == 0, first.stdout + first.stderr
    wait_for_reports(first)
    return Loaded(base / "inbox", base / "warehouse" / "tuphap.duckdb", base / "dagster_home",
                  env, first)


ENGINES = ("duckdb", "postgres")


@dataclass
class Published:
    """The demo load's published warehouse on one engine, as an analyst queries it."""

    engine: str
    first: subprocess.CompletedProcess  # the load that published it
    address: str  # as `tuphap load` prints it
    reports: Path  # where the load left its yearly reports
    connect: Callable[[bool], contextlib.AbstractContextManager[Any]]

    def rows(self, query: str, params: tuple[Any, ...] = (), *, lower_layers: bool = False
             ) -> list[tuple[Any, ...]]:
        """`query`'s rows (`?` placeholders on both engines). On PostgreSQL as the reader role,
        which sees schema `main` only; `lower_layers` reads `raw` and the rest as the loader."""
        with self.connect(lower_layers) as con:
            return run_query(con, query, params)[1]


@contextlib.contextmanager
def _duckdb_read_only(path: Path) -> Iterator[Any]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def _postgres(server: PostgresLoaded, lower_layers: bool) -> Iterator[Any]:
    with server.connect(as_loader=lower_layers) as con:
        yield PostgresConnection(con)


@pytest.fixture(params=ENGINES)
def published(request: pytest.FixtureRequest) -> Published:
    """The demo load on DuckDB, then on PostgreSQL (each loaded once per session)."""
    if request.param == "duckdb":
        loaded: Loaded = request.getfixturevalue("demo_load")
        return Published(
            "duckdb", loaded.first, str(loaded.warehouse), loaded.warehouse.parent / "reports",
            lambda lower_layers: _duckdb_read_only(loaded.warehouse))  # one file, all layers
    server: PostgresLoaded = request.getfixturevalue("pg_demo_load")
    return Published(
        "postgres", server.first, server.warehouse.url, server.local_dir / "reports",
        lambda lower_layers: _postgres(server, lower_layers))


# Last: tests/e2e/postgres_load.py imports the names above from this module.
from tests.e2e.postgres_load import (  # noqa: E402
    PostgresLoaded,
    pg_demo_load,  # noqa: F401
    pg_second_load,  # noqa: F401
)

"""The demo load on PostgreSQL: the same sample inbox as `demo_load`, loaded by a real
`tuphap load` into a database a DBA handed over (tests/postgres/warehouse.py: an empty
database owned by a loader role that is no superuser, and a reader role that exists).

One load per test session, and at most one more (`pg_second_load`): a load of the server
warehouse costs as much as the DuckDB demo load, and the suite has a time budget. The second
load gives the password in the URL instead of PGPASSWORD, with nothing new in the inbox.

The inbox is a copy of `demo_load`'s (same bytes, same modification times), so both engines
load the same files and their tables can be compared row for row. This machine's folder for
the warehouse (logs, reports, archive copies) goes under the test's base folder through
TUPHAP_LOCAL_DIR, not into the project's warehouse/servers/.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.postgres import LOCAL_ROOT_ENV
from orchestration.warehouse.sql import run_query
from tests.e2e.conftest import Loaded, isolated_env, tuphap, wait_for_reports
from tests.postgres.warehouse import ServerWarehouse, create_server_warehouse
from tests.postgres_server import PostgresServer

# What the contract calls public (warehouse-contract.md), all in schema `main`.
PUBLIC_TABLES = (
    "fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province", "dim_unit",
    "rpt_cluster_year", "rejected_reports", "dq_issues", "fct_target_achievement",
    "rpt_submissions",
)
RAW_TABLES = ("received_files", "file_receipts", "submissions", "submission_values",
              "target_decisions", "target_values")
# Bookkeeping a load is expected to advance: when an open issue was last seen.
LOAD_CLOCK_COLUMNS = {"main.dq_issues": {"last_seen_at"}}


@dataclass
class PostgresLoaded:
    warehouse: ServerWarehouse
    base: Path
    inbox: Path
    env: dict[str, str]
    first: subprocess.CompletedProcess

    @property
    def dagster_home(self) -> Path:
        return Path(self.env["DAGSTER_HOME"])

    @property
    def local_root(self) -> Path:
        """TUPHAP_LOCAL_DIR: the engine's local_dir for this warehouse is one folder in it."""
        return Path(self.env[LOCAL_ROOT_ENV])

    @property
    def local_dir(self) -> Path:
        (folder,) = [path for path in self.local_root.iterdir() if path.is_dir()]
        return folder

    @contextlib.contextmanager
    def connect(self, *, as_loader: bool = False) -> Iterator[Any]:
        """The reader's connection (what analysts get), or the loader's for the lower layers
        the reader cannot see."""
        connect = self.warehouse.connect_as_loader if as_loader else (
            self.warehouse.connect_as_reader)
        with connect() as con:
            yield con

    def rows(self, query: str, params: tuple[Any, ...] = (), *, as_loader: bool = False
             ) -> list[tuple[Any, ...]]:
        """`query`'s rows (`?` placeholders, as on DuckDB)."""
        with self.connect(as_loader=as_loader) as con:
            return run_query(PostgresConnection(con), query, params)[1]


@dataclass
class SecondLoad:
    """A second load of the same inbox, the password given in the URL only."""

    before: dict[str, list[str]]  # snapshot() just before it
    main_oid_before: int  # the published `main` schema it replaced
    done: subprocess.CompletedProcess


def postgres_env(base: Path, warehouse: ServerWarehouse) -> dict[str, str]:
    return {**isolated_env(base, reports_after_load=True), **warehouse.environment(),
            LOCAL_ROOT_ENV: str(base / "local")}


@pytest.fixture(scope="session")
def pg_demo_load(demo_load: Loaded, postgres_server: PostgresServer,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresLoaded]:
    base = tmp_path_factory.mktemp("demo-postgres")
    shutil.copytree(demo_load.inbox, base / "inbox")  # copy2: same bytes and times
    warehouse = create_server_warehouse(postgres_server)
    env = postgres_env(base, warehouse)
    first = tuphap(["load"], env)
    assert first.returncode == 0, first.stdout + first.stderr
    wait_for_reports(first)
    yield PostgresLoaded(warehouse, base, base / "inbox", env, first)
    with contextlib.suppress(psycopg.Error):
        warehouse.drop()


def snapshot(loaded: PostgresLoaded) -> dict[str, list[str]]:
    """Every row of the public tables (as the reader reads them) and of the raw tables (as
    the loader does), ordered, without the load clock: to compare two loads."""
    tables = [*(f"main.{t}" for t in PUBLIC_TABLES), *(f"raw.{t}" for t in RAW_TABLES)]
    shot = {}
    for table in tables:
        with loaded.connect(as_loader=table.startswith("raw.")) as con:
            names, rows = run_query(PostgresConnection(con),
                                    f"select * from {table}")  # noqa: S608 - ours
        keep = [i for i, name in enumerate(names)
                if name not in LOAD_CLOCK_COLUMNS.get(table, set())]
        shot[table] = sorted(repr(tuple(row[i] for i in keep)) for row in rows)
    return shot


def main_schema_oid(loaded: PostgresLoaded) -> int:
    return int(loaded.rows("select oid from pg_namespace where nspname = 'main'")[0][0])


@pytest.fixture(scope="session")
def pg_second_load(pg_demo_load: PostgresLoaded) -> SecondLoad:
    before, oid = snapshot(pg_demo_load), main_schema_oid(pg_demo_load)
    env = {key: value for key, value in pg_demo_load.env.items() if key != "PGPASSWORD"}
    env["PGPASSFILE"] = str(pg_demo_load.base / "no-pgpass")  # the URL is the only source
    done = tuphap(["load", "--warehouse", pg_demo_load.warehouse.url_with_password], env)
    wait_for_reports(done)  # the password from the URL reaches the reports' process too
    return SecondLoad(before, oid, done)

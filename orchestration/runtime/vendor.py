"""Every override of a private dagster-dbt or Dagster API, in one place.

The versions are pinned (pyproject.toml), and tests/orchestration/test_vendor.py asserts that
every private name used here still exists with the signature expected, so an upgrade fails a
test, not a benchmark. Each override says what it saves; drop one when Dagster offers it.

- dagster-dbt without dbt-core in this process (`hidden`): the Dagster process only starts dbt
  and reads its JSON log; importing dbt-core costs ~2,8 s of CPU at the start of every load.
  dagster-dbt imports dbt-core when it can (enum types, an in-process selection engine) and
  works without it (as beside dbt Fusion). What that gives up: a `@dbt_assets(select=...)`
  other than the whole project would need the dbt CLI to evaluate it; this project selects the
  whole project and hands selections to the dbt process. If dbt was imported before this
  module, nothing is hidden and dagster-dbt uses it.
- `LeanDbtCliResource`: before each invocation dagster-dbt 0.29 runs `dbt --version` in a
  subprocess (`_cli_version`, ~3 s) and builds a dbt adapter in the Dagster process
  (`_initialize_dbt_core_adapter`, ~4-7 s of loading dbt's macros) for optional metadata such
  as `fetch_row_counts()`, which this project does not use. dagster-dbt calls the adapter hook
  inside a bare `except:`, so a changed signature would only log a warning: the canary test
  checks the call, not just the name.
- `LeanProjectPreparer`: dagster-dbt's preparer (`dbt parse` to a fresh manifest.json) with the
  resource above (`_prepare_manifest`); the stock one builds an adapter, importing dbt-core.
- `with_preparer`: a DbtProject always gets dagster-dbt's preparer; the project's is swapped in
  (a record `replace`) so that `project.prepare_if_dev()` is the standard call.
- `tap_raw_events`: dagster-dbt reads dbt's JSON log lines through
  `DbtCliInvocation.stream_raw_events` and offers no hook to see them as they pass; the load
  counts dbt's nodes from them for its progress line, so that method is wrapped on the one
  invocation (every event still reaches dagster-dbt, unchanged).
- `PooledSqliteEventLogStorage`: Dagster's SQLite event log opens and closes its database for
  every event (~12 ms each, ~300 a load); this one keeps the connections open (~2 ms).

One override lives beside this module, in compute_logs.py, because the service's daemon and
webserver load it without dagster-dbt: `TiedComputeLogManager`, whose mirror of a run's output
cannot outlive the run.
"""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
import importlib.abc
import importlib.metadata
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from dagster_shared.record import replace
from packaging import version
from sqlalchemy.engine import Connection, Engine


class _HiddenPackage(importlib.abc.MetaPathFinder):
    """Makes `import <package>` (and its submodules) fail as if it were not installed."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname == self.package or fullname.startswith(self.package + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (hidden)", name=fullname)
        return None


@contextmanager
def hidden(package: str) -> Iterator[None]:
    """While the block runs, imports of a not-yet-imported `package` fail."""
    if package in sys.modules:
        yield
        return
    finder = _HiddenPackage(package)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


with hidden("dbt"):
    from dagster_dbt import (
        DagsterDbtProjectPreparer,
        DagsterDbtTranslator,
        DagsterDbtTranslatorSettings,
        DbtCliResource,
        DbtProject,
        dbt_assets,
    )

__all__ = [
    "DagsterDbtTranslator",
    "DagsterDbtTranslatorSettings",
    "DbtProject",
    "LeanDbtCliResource",
    "LeanProjectPreparer",
    "PooledSqliteEventLogStorage",
    "dbt_assets",
    "hidden",
    "tap_raw_events",
    "with_preparer",
]


class LeanDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without its per-invocation start-up costs (module docstring)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        # The installed dbt-core is the one the venv pins: no `dbt --version` subprocess.
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None  # the dbt process does all the work; no adapter in this one


class LeanProjectPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer, parsing with `LeanDbtCliResource` and the given dbt executable."""

    def __init__(self, dbt_executable: Path,
                 prepare_project_cli_args: Sequence[str] | None = None) -> None:
        super().__init__(prepare_project_cli_args)
        self.dbt_executable = dbt_executable

    def _prepare_manifest(self, project: DbtProject) -> None:
        resource = LeanDbtCliResource(project_dir=project, dbt_executable=str(self.dbt_executable))
        resource.cli(self._prepare_project_cli_args, target_path=project.target_path).wait()
        self._invalidate_seeds_in_partial_parse(project)


def with_preparer(project: DbtProject, preparer: DagsterDbtProjectPreparer) -> DbtProject:
    """`project`, prepared by `preparer` (DbtProject's constructor takes no preparer)."""
    return replace(project, preparer=preparer)


def tap_raw_events(invocation: Any, on_event: Callable[[Mapping[str, Any]], None]) -> None:
    """Call `on_event` with each dbt JSON log event of a started dagster-dbt invocation, as
    dagster-dbt reads it (`stream_raw_events`, which its `stream` iterates)."""
    read = invocation.stream_raw_events

    def stream_raw_events() -> Iterator[Any]:
        for event in read():
            on_event(event.raw_event)
            yield event

    invocation.stream_raw_events = stream_raw_events


SQLITE_BUSY_TIMEOUT_SECONDS = 30
MAX_OPEN_SHARDS = 16  # the index, the run being written, runs the UI looks at


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log storage (same files, same schema, readable by any Dagster
    process) with one engine per database file whose connections stay open, and
    `synchronous=NORMAL`: in SQLite's WAL mode a commit then waits for no disk sync, and a power
    cut can lose the last moments of a run's log but never corrupt it.

    Overrides `_connect` and uses `_db_lock`, `_initialized_dbs`, `_initdb` and
    `conn_string_for_shard` of dagster 1.13's storage. Configured by the instance's dagster.yaml
    as `orchestration.runtime.instance.PooledSqliteEventLogStorage`.
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Before the base class: its constructor may already write (a new index database).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1, max_overflow=4,  # callers still queue on _db_lock (SQLite)
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            db.event.listen(engine, "connect", _sqlite_settings)
            self._engines[shard] = engine
            while len(self._engines) > MAX_OPEN_SHARDS:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

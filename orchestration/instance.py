"""The project's Dagster instance: where runs and their events are recorded, quickly.

Dagster's SQLite event log creates a SQLAlchemy engine, opens the database, commits with a full
sync and closes it again for every event; closing the last connection checkpoints the
write-ahead log. That is ~12 ms an event, and a load records ~300 (every log line, output,
materialization and check), so several seconds of every load went to bookkeeping.
`PooledSqliteEventLogStorage` is the same storage (same files, same schema, readable by any
Dagster process) with one engine per database file whose connections stay open, and
`synchronous=NORMAL`: in SQLite's WAL mode a commit then waits for no disk sync, and a power
cut can lose the last moments of a run's log but never corrupt it. ~2 ms an event.

It is configured in the instance's dagster.yaml (written by `settings.dagster_home()`), so
`tuphap load`, `dagster dev` and the daemon all use it. This overrides a private method of
dagster 1.13's storage (`_connect`): the version is pinned, and tests/orchestration/
test_instance.py checks the storage with a real instance.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_SECONDS = 30
MAX_OPEN_SHARDS = 16  # the index, the run being written, runs the UI looks at


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SQLite event log storage that keeps its connections open (see the module docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Before the base class: its constructor may already write (a new index database).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> PooledSqliteEventLogStorage:
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

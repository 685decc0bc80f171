"""The warehouse as a Dagster run sees it: a locked, private build until the publish step."""

# No `from __future__ import annotations`: Dagster inspects resource annotations at runtime.
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

import dagster as dg
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.runtime.dbt_env import dbt_environment
from orchestration.runtime.dead_runs import PROCESS_TAG, fail_dead_runs, process_identity
from orchestration.runtime.instance import WAREHOUSE_TAG
from orchestration.warehouse.engine import Build, Connection, WarehouseEngine, engine_for


class WarehouseResource(dg.ConfigurableResource):
    """The run's warehouse: its engine (chosen by the address), the load lock and the build.

    The engine is made once per run and serves every step. `setup_for_execution` runs once per
    run with the in-process executor: it names the run's process on the run (a run whose
    process is gone is failed by the next who looks: runtime/dead_runs.py), takes the load
    lock, fails the dead runs of the warehouse, and starts the build;
    `teardown_after_execution` drops an unpublished build and releases the lock, also when the
    run failed.
    """

    path: str | None = None  # the warehouse address; default TUPHAP_WAREHOUSE or the project's
    scope: str | None = None  # cluster | national; default TUPHAP_SCOPE or cluster
    lock_timeout_seconds: float = 300.0

    _engine: WarehouseEngine | None = PrivateAttr(default=None)
    _stack: ExitStack | None = PrivateAttr(default=None)
    _build: Build | None = PrivateAttr(default=None)

    @property
    def engine(self) -> WarehouseEngine:
        if self._engine is None:
            self._engine = engine_for(settings.warehouse_address(self.path))
        return self._engine

    @property
    def resolved_scope(self) -> str:
        return settings.scope(self.scope)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run, instance = context.dagster_run, context.instance
        identity = process_identity()
        if run is not None and instance is not None and identity is not None:
            # Before the lock, which it may wait for: a run killed meanwhile is known dead.
            instance.add_run_tags(run.run_id, {PROCESS_TAG: identity})
        self._open_build()
        warehouse = run.tags.get(WAREHOUSE_TAG) if run is not None else None
        if instance is not None and warehouse:
            # Holding the lock: a run of this warehouse still marked STARTED whose process is
            # gone (a `tuphap load` killed with -9) is dead; it would hold the queue for 30 min.
            for dead in fail_dead_runs(instance, warehouse, seen_by=f"run {run.run_id}"):
                context.log.warning(f"marked run {dead.run_id} failed: its process is gone")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._close_build()

    def _open_build(self) -> Build:
        if self._build is None:
            stack = ExitStack()
            stack.enter_context(self.engine.load_lock(self.lock_timeout_seconds))
            try:
                build = self.engine.start_build()
            except BaseException:
                stack.close()
                raise
            self._stack, self._build = stack, build
        return self._build

    def _close_build(self) -> None:
        if self._build is not None:
            self._build.discard()
        if self._stack is not None:
            self._stack.close()
        self._build, self._stack = None, None

    @property
    def build(self) -> Build:
        """This run's build (its folder holds dbt's artifacts)."""
        return self._open_build()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read-write connection to this run's build. Close it before dbt runs."""
        with self.build.connect() as con:
            yield con

    def dbt_environment(self) -> dict[str, str]:
        """What dbt reads from the environment to build this run's build in its scope."""
        self._open_build()
        return dbt_environment(target=self.engine.dbt_environment(), scope=self.resolved_scope)

    def publish(self) -> Mapping[str, Any]:
        """Make this run's build the published warehouse (the last step of a load)."""
        published = self.build.publish()
        # Later writers in this run (none expected) would start again from the published one.
        self._close_build()
        return published


class PublishedWarehouseResource(dg.ConfigurableResource):
    """The published warehouse, read-only, for what runs after a load (the yearly reports):
    no load lock and no build, so it never holds up or waits for the next load."""

    path: str | None = None  # the warehouse address; default TUPHAP_WAREHOUSE or the project's
    scope: str | None = None  # cluster | national; default TUPHAP_SCOPE or cluster

    @property
    def engine(self) -> WarehouseEngine:
        return engine_for(settings.warehouse_address(self.path))

    @property
    def resolved_scope(self) -> str:
        return settings.scope(self.scope)

"""A run whose process is gone is told from one that still works, and failed with its reason.

The decisions on real processes (this one, a child that ended); the failing in a real Dagster
instance. tests/deploy/test_service.py fails a killed `tuphap load`'s run with a real daemon.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import dagster as dg

from orchestration.runtime.dead_runs import (
    PROCESS_TAG,
    dead_runs,
    fail_dead_runs,
    is_gone,
    process_identity,
)
from orchestration.runtime.instance import WAREHOUSE_TAG


def _ended_process() -> str:
    """The identity of a process that has ended (its pid may already name another)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        identity = process_identity(child.pid)
    finally:
        child.kill()
        child.wait()
    assert identity is not None
    return identity


def test_a_process_is_gone_once_it_ended_and_never_while_it_runs() -> None:
    mine = process_identity()
    assert mine is not None and mine.startswith(socket.gethostname() + " ")
    assert not is_gone(mine)
    assert is_gone(_ended_process())


def test_a_pid_reused_by_another_process_is_still_gone() -> None:
    host, pid, started = process_identity().split(" ")  # type: ignore[union-attr]
    assert is_gone(f"{host} {pid} {int(started) - 1}")


def test_a_process_of_another_host_or_an_unknown_identity_is_never_taken_for_gone() -> None:
    _, pid, started = _ended_process().split(" ")
    assert not is_gone(f"another-host.example {pid} {started}")
    assert not is_gone("garbage")
    assert not is_gone(f"{socket.gethostname()} x {started}")


def test_only_runs_in_progress_whose_process_is_gone_are_dead() -> None:
    runs = [("a", "STARTED", {PROCESS_TAG: "gone"}),
            ("b", "STARTED", {PROCESS_TAG: "alive"}),
            ("c", "SUCCESS", {PROCESS_TAG: "gone"}),
            ("d", "STARTED", {}),  # never named its process (started before it got that far)
            ("e", "CANCELING", {PROCESS_TAG: "gone"})]
    found = dead_runs(runs, gone=lambda identity: identity == "gone")
    assert [run.run_id for run in found] == ["a", "e"]


def _run(instance: dg.DagsterInstance, run_id: str, warehouse: str, process: str | None,
         status: dg.DagsterRunStatus = dg.DagsterRunStatus.STARTED) -> None:
    tags = {WAREHOUSE_TAG: warehouse, **({PROCESS_TAG: process} if process else {})}
    instance.add_run(dg.DagsterRun(job_name="load_warehouse", run_id=run_id, status=status,
                                   tags=tags))


def test_the_dead_run_of_the_warehouse_is_failed_with_its_reason() -> None:
    gone, alive = _ended_process(), process_identity()
    assert alive is not None
    with dg.DagsterInstance.ephemeral() as instance:
        _run(instance, "dead", "/w/tuphap.duckdb", gone)
        _run(instance, "working", "/w/tuphap.duckdb", alive)
        _run(instance, "other", "/v/tuphap.duckdb", gone)  # another warehouse's
        failed = fail_dead_runs(instance, "/w/tuphap.duckdb", seen_by="the test")
        assert [run.run_id for run in failed] == ["dead"]
        statuses = {run_id: instance.get_run_by_id(run_id).status  # type: ignore[union-attr]
                    for run_id in ("dead", "working", "other")}
        assert statuses == {"dead": dg.DagsterRunStatus.FAILURE,
                            "working": dg.DagsterRunStatus.STARTED,
                            "other": dg.DagsterRunStatus.STARTED}
        [failure] = [record.event_log_entry for record in instance.get_records_for_run(
            "dead", of_type=dg.DagsterEventType.RUN_FAILURE).records]
        pid = gone.split(" ")[1]
        assert f"the test: this run's process (pid {pid} on {socket.gethostname()}) is gone" \
            in (failure.dagster_event.message or "")  # type: ignore[union-attr]
        # Seen again: nothing more to do.
        assert fail_dead_runs(instance, "/w/tuphap.duckdb", seen_by="the test") == []

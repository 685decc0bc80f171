"""Runs of a warehouse still marked STARTED whose process is gone: failed at once.

A `tuphap load` killed with -9 (or a run worker whose code server died with it) cannot record
its end: its run stays STARTED, and the instance's run queue, which lets one run per
warehouse be in progress (`tuphap/warehouse`), holds every later load of that warehouse until
run monitoring gives up on it (`max_runtime_seconds`, 30 minutes). Yet the kernel (flock) or
the server (advisory lock) freed the warehouse's load lock the moment the process died.

So each run names its process in the tag `tuphap/process` ("HOST PID START-TIME", set by the
warehouse resource before it waits for the lock), and whoever next looks — the inbox sensor's
tick, the next load once it holds the lock — fails a STARTED run of the same warehouse whose
process is no longer running on this host, with the reason, so the queue moves on at once.
The pid is checked with its start time (pids are reused). A run of another host is left to
run monitoring: its process cannot be seen from here. The lock itself is not probed: taking
it, even for an instant, could make a load starting at that moment refuse to run, and a dead
process holds no lock anyway.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from orchestration.runtime.instance import WAREHOUSE_TAG
from orchestration.runtime.processes import start_time

PROCESS_TAG = "tuphap/process"
# Statuses of a run that holds its warehouse's place in the queue while its process works.
IN_PROGRESS = ("STARTED", "CANCELING")

__all__ = ["IN_PROGRESS", "PROCESS_TAG", "DeadRun", "dead_runs", "fail_dead_runs",
           "is_gone", "process_identity"]


def process_identity(pid: int | None = None) -> str | None:
    """"HOST PID START-TIME" of process `pid` (default: this one); None where /proc cannot
    tell a process's start time (not Linux): then no run is ever taken for dead."""
    pid = os.getpid() if pid is None else pid
    started = start_time(pid)
    return None if started is None else f"{socket.gethostname()} {pid} {started}"


def is_gone(identity: str, *, host: str | None = None,
            started: Callable[[int], int | None] = start_time) -> bool:
    """Whether the process `identity` names has ended, as far as this host can tell: False
    for a process of another host (or an identity this code did not write)."""
    parts = identity.split(" ")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return False
    if parts[0] != (host or socket.gethostname()):
        return False
    return started(int(parts[1])) != int(parts[2])


@dataclass(frozen=True)
class DeadRun:
    run_id: str
    identity: str

    def reason(self, seen_by: str) -> str:
        host, pid, _ = self.identity.split(" ")
        return (f"Marked failed by {seen_by}: this run's process (pid {pid} on {host}) is gone "
                "(killed or crashed) and holds no lock on the warehouse any more, so the "
                "run can never end by itself. Its build was never published; the next load "
                "starts afresh.")


def dead_runs(runs: Iterable[tuple[str, str, dict[str, str]]], *,
              gone: Callable[[str], bool] = is_gone) -> list[DeadRun]:
    """The dead ones among `runs` (run id, status, tags): in progress, their process named
    and gone. Pure, given `gone`."""
    found = []
    for run_id, status, tags in runs:
        identity = tags.get(PROCESS_TAG)
        if status in IN_PROGRESS and identity and gone(identity):
            found.append(DeadRun(run_id, identity))
    return found


def fail_dead_runs(instance: object, warehouse: str, *, seen_by: str) -> list[DeadRun]:
    """Fail every dead run of `warehouse` (its `tuphap/warehouse` tag value) in the Dagster
    `instance`, saying why and who saw it (`seen_by`); return them."""
    import dagster as dg

    assert isinstance(instance, dg.DagsterInstance)
    records = instance.get_runs(filters=dg.RunsFilter(
        tags={WAREHOUSE_TAG: warehouse},
        statuses=[dg.DagsterRunStatus(status) for status in IN_PROGRESS]))
    found = dead_runs((run.run_id, run.status.value, dict(run.tags)) for run in records)
    failed = []
    for dead in found:
        current = instance.get_run_by_id(dead.run_id)  # it may have ended meanwhile
        if current is not None and current.status.value in IN_PROGRESS:
            instance.report_run_failed(current, message=dead.reason(seen_by))
            failed.append(dead)
    return failed

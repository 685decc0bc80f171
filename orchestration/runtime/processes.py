"""Processes a killed load left behind, found and stopped before the next load builds.

A load runs dbt as a child process. When the load is killed outright (SIGKILL, the OOM killer),
dbt is not: it keeps building for another minute, and would open or write the next load's build
(same paths: the database, its WAL, dbt-target/). Such a process is recognised by its
environment, which points into the build folder (the folder dbt runs in, dagster-dbt's
DBT_TARGET_PATH), or, for a warm dbt process the preload server forked (whose environment in
/proc is the server's), by the note it leaves in the build folder while it builds. Read from
/proc, so Linux only; elsewhere nothing is found.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Set as AbstractSet
from pathlib import Path

from orchestration.runtime.preload_client import forked_helpers
from orchestration.runtime.proc import PPID, STARTTIME, STATE, read_stat, start_time, stat_fields
from orchestration.runtime.warm_dbt import FORKED_NOTE, WARM_MODULE, boot_id

__all__ = ["processes_started_for", "signal_process", "start_time", "stop_leftover_processes"]

LEFTOVER_GRACE_SECONDS = 10.0


def _log() -> logging.Logger:
    """The run's log (Dagster captures this logger's lines in the step's log)."""
    import dagster as dg

    return dg.get_dagster_logger("tuphap.warehouse")


def _running(pid: int, started: int) -> bool:
    """Whether the process that started at `started` has not ended: neither gone nor a zombie
    (an ended process whose parent has not collected it yet). While it is ending it still
    holds its files, though it no longer shows its environment."""
    fields = read_stat(pid)
    return (fields is not None and fields[STATE] not in (b"Z", b"X")
            and int(fields[STARTTIME]) == started)


def signal_process(pid: int, started: int, sig: int) -> bool:
    """Send `sig` to `pid` if it is still the process that started at `started`; whether sent.

    The pidfd is opened before the start time is checked, so the signal goes to the process
    checked even if its pid is reused in between (a process gone by then takes no signal)."""
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    except OSError:  # no pidfd before Linux 5.3: the same check, then the signal by pid
        pidfd = None
    try:
        if start_time(pid) != started:
            return False
        if pidfd is None:
            os.kill(pid, sig)
        else:
            signal.pidfd_send_signal(pidfd, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time) of every process visible in /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = stat_fields((entry / "stat").read_bytes())
            except OSError:  # gone meanwhile
                continue
            found[int(entry.name)] = (int(fields[PPID]), int(fields[STARTTIME]))
    return found


def _descendants(pid: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def processes_started_for(folder: Path) -> list[int]:
    """Pids of processes whose environment points into `folder`, except this process and
    its descendants (this load's own warm dbt process and whatever dbt starts), and the warm
    dbt processes of other live loads (one waiting for the lock: it has only parsed).

    A load runs dbt with its build folder and dbt-target/ folder in the environment
    (TUPHAP_DBT_WORKDIR, DBT_TARGET_PATH: runtime/dbt_env.py, dagster-dbt), and dbt's own
    children inherit it; someone merely looking at a file in the folder is not matched. A
    forked warm dbt process is found by its note in the folder (warm_dbt.FORKED_NOTE). Read
    from /proc, so Linux only; elsewhere, and for other users' processes, nothing is found.
    """
    return list(_started_for(folder))


def _started_for(folder: Path) -> dict[int, int]:
    """processes_started_for, each pid with its start time (see `start_time`)."""
    if not Path("/proc").is_dir():
        return {}
    itself = str(folder.resolve()).encode()
    inside = itself + os.sep.encode()
    # The start times are read before the environments: if a pid is reused in between, its
    # start time is the old process's, and the new one is never signalled (signal_process).
    processes = _processes()
    parents = {pid: parent for pid, (parent, _) in processes.items()}
    # This process, its helpers (children, or forked by a preload server) and all they started.
    spared = _with_descendants({os.getpid(), *forked_helpers()}, parents)
    found = {}
    for pid, (_, started) in processes.items():
        if pid in spared:
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        values = [value.partition(b"=")[2] for value in environ.split(b"\0")]
        if any(value == itself or value.startswith(inside) for value in values):
            found[pid] = started
    for pid, started in _noted(folder).items():
        if pid not in spared and processes.get(pid, (0, None))[1] == started:
            found[pid] = started
    # The warm dbt of a live load waiting for the lock, and what it started, are not leftovers.
    waiting = {pid for pid in found if _warm_dbt_of_live_load(pid, running=parents.keys())}
    waiting = _with_descendants(waiting, parents)
    return {pid: started for pid, started in found.items() if pid not in waiting}


def _with_descendants(roots: AbstractSet[int], parents: dict[int, int]) -> set[int]:
    found = set(roots)
    for root in roots:
        found |= _descendants(root, parents)
    return found


def _noted(folder: Path) -> dict[int, int]:
    """pid -> start time of the forked warm dbt processes that noted building in `folder`
    in this boot of the machine (a note outlives its process if it was killed: the start
    time tells whether the pid still names it)."""
    noted = {}
    for note in folder.rglob(f"{FORKED_NOTE}*"):
        pid = note.name.removeprefix(FORKED_NOTE)
        try:
            boot, _, started = note.read_text().strip().rpartition(" ")
        except OSError:
            continue
        if pid.isdigit() and started.isdigit() and boot == boot_id():
            noted[int(pid)] = int(started)
    return noted


def _warm_dbt_of_live_load(pid: int, running: AbstractSet[int]) -> bool:
    """Whether `pid` is a warm dbt process (runtime/warm_dbt.py) whose load is among the
    `running` processes.

    Such a process only runs a build once its load holds the lock, and it ends by itself as
    soon as its load does."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if WARM_MODULE.encode() not in argv or b"--parent" not in argv:
        return False
    try:
        parent = int(argv[argv.index(b"--parent") + 1])
    except (IndexError, ValueError):
        return False
    return parent in running


def stop_leftover_processes(
    folder: Path, grace_seconds: float = LEFTOVER_GRACE_SECONDS
) -> list[int]:
    """Stop processes a killed load left behind for its build folder; return their pids.

    The caller holds the load lock, so no live load builds with these processes. SIGTERM,
    then SIGKILL; each has ended (or is a zombie) when this returns.
    """
    leftovers = _started_for(folder)
    if not leftovers:
        return []
    _log().warning("stopping processes of a killed load still using %s: %s", folder,
                   list(leftovers))
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, grace_seconds)):
        # Each pid with its start time: one that ended during the grace period may already
        # name another process, which must not be signalled.
        for pid, started in leftovers.items():
            signal_process(pid, started, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not any(_running(pid, started) for pid, started in leftovers.items()):
                return list(leftovers)
            time.sleep(0.1)
    raise RuntimeError(
        f"processes {processes_started_for(folder)} of a killed load still use {folder}; stop them "
        "and run the load again")


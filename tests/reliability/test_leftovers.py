"""A killed load's dbt is found by its environment and stopped; onlookers, the running
load's own children (its warm dbt process) and the warm dbt of a load waiting for the lock
are left alone, and so is a process that took the pid of one gone meanwhile."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration.runtime.processes import (
    processes_started_for,
    signal_process,
    start_time,
    stop_leftover_processes,
)

SLEEP = "import time, sys; f = open(sys.argv[1]) if len(sys.argv) > 1 else None; time.sleep(600)"
# Starts SLEEP in the background, prints its pid and exits: the sleeper loses its parent, as
# the dbt of a load killed outright does.
# Starts SLEEP as its own child and waits for it: a grandchild of the caller, as the
# multiprocessing helper that dbt starts inside this load's warm dbt process.
PARENT = ("import subprocess, sys; subprocess.run([sys.executable, '-c', sys.argv[1]], "
          "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)")
ORPHAN = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', sys.argv[1], "
          "*sys.argv[2:]], stdout=subprocess.DEVNULL, "
          "stderr=subprocess.DEVNULL); print(p.pid, flush=True)")


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SLEEP, *args], env=env)


@contextmanager
def _orphan(env: dict[str, str], code: str = SLEEP, *args: str) -> Iterator[int]:
    """A process whose parent is gone, with `env`; killed afterwards if still there."""
    out = subprocess.run([sys.executable, "-c", ORPHAN, code, *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    pid = int(out)
    try:
        yield pid
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A stopped orphan stays a zombie until init reaps it.
    with open(f"/proc/{pid}/stat", "rb") as handle:
        return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"


def test_only_processes_started_for_the_build_are_stopped(tmp_path: Path) -> None:
    build = tmp_path / ".build"
    build.mkdir()
    (build / "dbt.log").write_text("x")
    # As dagster-dbt starts dbt for a load: the build paths in its environment.
    dbt_env = {**os.environ, "TUPHAP_DBT_DB_PATH": str(build / "tuphap.duckdb"),
               "DBT_TARGET_PATH": str(build / "dbt-target")}
    # Someone reading a file of the build folder, an unrelated process, and processes this
    # (the running load's) process started for the build, directly or not: not leftovers.
    onlooker = _spawn(dict(os.environ), str(build / "dbt.log"))
    other = _spawn({**os.environ, "TUPHAP_DBT_DB_PATH": str(tmp_path / "elsewhere.duckdb")})
    own = _spawn(dbt_env)
    own_child = subprocess.Popen([sys.executable, "-c", PARENT, SLEEP], env=dbt_env,
                                 start_new_session=True)
    with _orphan(dbt_env) as dbt:
        try:
            deadline = time.monotonic() + 30
            while dbt not in processes_started_for(build) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert processes_started_for(build) == [dbt]
            # Ended by the SIGTERM, within the grace period: the SIGKILL after it is not needed.
            # (The grace period leaves room for a busy machine: the first call also imports
            # Dagster, for its log line.)
            start = time.monotonic()
            assert stop_leftover_processes(build, grace_seconds=30) == [dbt]
            assert not _alive(dbt)
            assert time.monotonic() - start < 30
            assert onlooker.poll() is None and other.poll() is None and own.poll() is None
            assert own_child.poll() is None  # its child, the grandchild, was not stopped
            assert stop_leftover_processes(build) == []
        finally:
            os.killpg(own_child.pid, signal.SIGKILL)  # with its child
            for proc in (onlooker, other, own, own_child):
                if proc.poll() is None:
                    proc.kill()
                proc.wait()


def test_the_warm_dbt_of_a_load_waiting_for_the_lock_is_not_a_leftover(tmp_path: Path) -> None:
    build = tmp_path / ".build"
    build.mkdir()
    # A warm dbt process carries the build path from its start (its parse needs the profile).
    dbt_env = {**os.environ, "TUPHAP_DBT_DB_PATH": str(build / "tuphap.duckdb")}
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # the pid of a load now ended
    gone.wait()
    warm = "import time; time.sleep(600)"
    with (_orphan(dbt_env, warm, "-m", "orchestration.runtime.warm_dbt", "--parent",
                  str(os.getpid())) as waiting,
          _orphan(dbt_env, warm, "-m", "orchestration.runtime.warm_dbt", "--parent",
                  str(gone.pid)) as abandoned):
        deadline = time.monotonic() + 30
        while abandoned not in processes_started_for(build) and time.monotonic() < deadline:
            time.sleep(0.05)
        # Its load (here: this process) still runs: it is that load's, not a killed one's.
        assert processes_started_for(build) == [abandoned]
        assert stop_leftover_processes(build, grace_seconds=5) == [abandoned]
        assert _alive(waiting) and not _alive(abandoned)


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "no pidfd (Linux < 5.3)"])
def test_a_pid_is_signalled_only_while_it_names_the_process_noted(
    pidfd: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between finding a leftover and its SIGKILL (a grace period later) it may end and its pid
    name a new process: the pid is signalled only with the start time noted with it."""
    if not pidfd:
        def no_pidfd(pid: int) -> int:
            raise OSError(errno.ENOSYS, "pidfd_open")

        monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    sleeper = _spawn(dict(os.environ))
    try:
        started = start_time(sleeper.pid)
        assert started is not None
        # The same pid with another start time: another process, left alone.
        assert not signal_process(sleeper.pid, started + 1, signal.SIGKILL)
        with pytest.raises(subprocess.TimeoutExpired):
            sleeper.wait(0.3)
        assert signal_process(sleeper.pid, started, signal.SIGKILL)
        assert sleeper.wait(10) == -signal.SIGKILL
        assert not signal_process(sleeper.pid, started, signal.SIGKILL)  # gone: nothing sent
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()

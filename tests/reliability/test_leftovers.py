"""A killed load's dbt is found by its environment (or, forked by the preload server, by its
note) and stopped; onlookers, the running load's own children (its warm dbt process) and the
warm dbt of a load waiting for the lock are left alone, and so is a process that took the pid
of one gone meanwhile."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from orchestration.runtime.preload_client import PRELOAD_ENV
from orchestration.runtime.processes import (
    processes_started_for,
    signal_process,
    start_time,
    stop_leftover_processes,
)
from orchestration.runtime.warm_dbt import FORKED_NOTE, note_content
from orchestration.runtime.workers import WarmProcess
from tests.orchestration.runtime.worker_functions import start_process
from tests.reliability.conftest import descendants, started_for

SLEEP = "import time, sys; f = open(sys.argv[1]) if len(sys.argv) > 1 else None; time.sleep(600)"
# As SLEEP, but notes in the file argv[1] names that it is ready, then that it got SIGTERM, and
# ends as the signal's default action would (whatever disposition it inherited).
TERM_NOTED = ("import os, signal, sys, time\n"
              "def note(text):\n"
              "    with open(sys.argv[1] + '.part', 'w') as out: out.write(text)\n"
              "    os.replace(sys.argv[1] + '.part', sys.argv[1])\n"
              "def noted(signum, frame):\n"
              "    note('SIGTERM')\n"
              "    os._exit(128 + signum)\n"
              "signal.signal(signal.SIGTERM, noted)\n"
              "note('ready')\n"
              "time.sleep(600)\n")
# Sleeps until its parent, whose pid is its argument, is gone.
WITH_PARENT = "import os, sys, time\nwhile os.getppid() == int(sys.argv[1]): time.sleep(0.1)"
T = TypeVar("T")
# Only so that a broken stop_leftover_processes fails instead of hanging the run: never reached
# when it works, whatever the machine's load.
CEILING_SECONDS = 300.0
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


def _wait_until(condition: Callable[[], bool]) -> None:
    """Poll until `condition` holds (the assertion after it says what was missing)."""
    deadline = time.monotonic() + CEILING_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _within_ceiling(call: Callable[[], T]) -> T:
    """`call()`, run in a thread: its result, or a failure if it is still running after
    CEILING_SECONDS (the test then does not wait for it)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(CEILING_SECONDS)
    if errors:
        raise errors[0]
    assert result, f"still running after {CEILING_SECONDS:.0f} s"
    return result[0]


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
    dbt_env = {**os.environ, "TUPHAP_DBT_DB_PATH": "tuphap.duckdb",
               "TUPHAP_DBT_WORKDIR": str(build), "DBT_TARGET_PATH": str(build / "dbt-target")}
    # Someone reading a file of the build folder, an unrelated process, and processes this
    # (the running load's) process started for the build, directly or not: not leftovers.
    onlooker = _spawn(dict(os.environ), str(build / "dbt.log"))
    other = _spawn({**os.environ, "TUPHAP_DBT_WORKDIR": str(tmp_path / ".build-elsewhere")})
    own = _spawn(dbt_env)
    own_child = subprocess.Popen([sys.executable, "-c", PARENT, SLEEP], env=dbt_env,
                                 start_new_session=True)
    term_note = tmp_path / "sigterm"
    with _orphan(dbt_env, TERM_NOTED, str(term_note)) as dbt:
        try:
            _wait_until(lambda: term_note.exists() and term_note.read_text() == "ready")
            assert processes_started_for(build) == [dbt]
            # Ended by the SIGTERM: it noted it, and the call returned long before its grace
            # period was over (the SIGKILL only comes after it).
            stopped = _within_ceiling(lambda: stop_leftover_processes(
                build, grace_seconds=10 * CEILING_SECONDS))
            assert stopped == [dbt]
            assert not _alive(dbt)
            assert term_note.read_text() == "SIGTERM"
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
    # A warm dbt process carries the build folder from its start (where it builds).
    dbt_env = {**os.environ, "TUPHAP_DBT_DB_PATH": "tuphap.duckdb",
               "TUPHAP_DBT_WORKDIR": str(build)}
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # the pid of a load now ended
    gone.wait()
    # Ends at SIGTERM whatever disposition it inherited, so the stop never waits out its grace
    # period for the SIGKILL (this test once took 301 s in a suite run beside three others).
    warm = ("import os, signal, time\n"
            "signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(128 + signum))\n"
            "time.sleep(600)\n")
    # The waiting one has started a process of its own (multiprocessing's resource tracker,
    # say), with the build's environment too; it ends with its parent.
    with_child = warm.replace("time.sleep(600)", f"import subprocess, sys; subprocess.Popen("
                              f"[sys.executable, '-c', {WITH_PARENT!r}, str(os.getpid())]); "
                              "time.sleep(600)")
    with (_orphan(dbt_env, with_child, "-m", "orchestration.runtime.warm_dbt", "--parent",
                  str(os.getpid())) as waiting,
          _orphan(dbt_env, warm, "-m", "orchestration.runtime.warm_dbt", "--parent",
                  str(gone.pid)) as abandoned):
        _wait_until(lambda: abandoned in processes_started_for(build) and descendants(waiting))
        # Its load (here: this process) still runs: it is that load's, not a killed one's,
        # and so is what it started.
        assert processes_started_for(build) == [abandoned]
        assert stop_leftover_processes(build, grace_seconds=CEILING_SECONDS) == [abandoned]
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
        assert sleeper.wait(CEILING_SECONDS) == -signal.SIGKILL
        assert not signal_process(sleeper.pid, started, signal.SIGKILL)  # gone: nothing sent
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()


def test_a_forked_dbt_is_found_by_its_note_not_by_a_stale_one(tmp_path: Path) -> None:
    """A warm dbt process the preload server forked shows the server's environment, so it
    notes its pid and start time in the build's target folder while it builds: a killed
    load's is found by that note and stopped; a note whose pid now names another process (its
    start time differs, or it is of an earlier boot of the machine) finds nothing."""
    folder = tmp_path / ".build"
    (folder / "dbt-target").mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if str(tmp_path) not in value}
    with _orphan(env) as noted, _orphan(env) as reused, _orphan(env) as earlier_boot:
        for pid, content in (
            (noted, note_content(start_time(noted) or 0)),
            (reused, note_content((start_time(reused) or 0) - 1)),
            (earlier_boot, f"another-boot {start_time(earlier_boot)}"),
        ):
            (folder / "dbt-target" / f"{FORKED_NOTE}{pid}").write_text(content)
        assert processes_started_for(folder) == [noted]
        assert stop_leftover_processes(folder, grace_seconds=CEILING_SECONDS) == [noted]
        assert not _alive(noted)
        assert _alive(reused) and _alive(earlier_boot)


def test_what_the_loads_own_forked_helper_starts_is_not_a_leftover(tmp_path: Path) -> None:
    """A helper the preload server forked for this load (here its Great Expectations worker)
    is the server's child, not the load's; what it starts with the build's environment is
    still the load's own."""
    build = tmp_path / ".build"
    build.mkdir()
    assert os.environ.get(PRELOAD_ENV), "tests/conftest.py starts the preload server"
    worker = WarmProcess(name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("forked by the preload server"), worker.origin
        child = worker.call(start_process, [sys.executable, "-c", WITH_PARENT],
                            {**os.environ, "TUPHAP_DBT_WORKDIR": str(build)})
        # It is the worker's, and found with the build's environment once it runs.
        _wait_until(lambda: started_for(child, build))
        assert started_for(child, build)
        assert _alive(child)
        assert processes_started_for(build) == []
    finally:
        worker.stop()
    _wait_until(lambda: not _alive(child))
    assert not _alive(child)

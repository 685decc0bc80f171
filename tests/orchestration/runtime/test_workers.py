"""WarmProcess: a real worker process, warmed up, called, killed and stopped; each test for
both kinds of worker: spawned by the caller, and forked by the suite's real preload server
(tests/conftest.py; runtime/preload.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.runtime.proc import is_running
from orchestration.runtime.workers import WarmProcess, WorkerDied
from orchestration.settings import PROJECT_ROOT
from tests.orchestration.runtime import worker_functions as fn
from tests.orchestration.runtime.conftest import origin_of


@pytest.fixture(autouse=True)
def _each_kind(kind: str) -> str:
    """Every test here runs for both kinds of worker (tests/orchestration/runtime/conftest)."""
    return kind


def test_the_worker_warms_up_before_it_answers_and_returns_results(kind: str) -> None:
    worker = WarmProcess(fn.warm_up, name="test-worker")
    worker.start()
    assert worker.origin.startswith(origin_of(kind)), worker.origin
    try:
        assert worker.call(fn.what_was_warmed) == ["warm"]
        assert worker.call(fn.add, 2, 3) == 5
        assert worker.call(fn.pid) != os.getpid()
    finally:
        worker.stop()
    assert not worker.started


def test_an_error_in_the_worker_is_raised_in_the_caller_and_the_worker_goes_on() -> None:
    worker = WarmProcess(name="test-worker")
    worker.start()
    try:
        with pytest.raises(ValueError, match="bad figure"):
            worker.call(fn.fail, "bad figure")
        assert worker.call(fn.add, 1, 1) == 2
    finally:
        worker.stop()


def test_a_failed_warm_up_does_not_stop_the_worker() -> None:
    """The call reports what is wrong (here: nothing needs the failed import)."""
    worker = WarmProcess(fn.failing_warm_up, name="test-worker")
    worker.start()
    try:
        assert worker.call(fn.add, 2, 2) == 4
    finally:
        worker.stop()


def test_a_worker_that_dies_raises_instead_of_hanging(kind: str) -> None:
    worker = WarmProcess(name="test-worker")
    worker.start()
    try:  # a forked worker is not our child: its exit code is not ours to read
        with pytest.raises(WorkerDied, match="exit code 3" if kind == "spawned" else
                           r"\(pid \d+\) ended before answering"):
            worker.call(fn.exit_hard)
    finally:
        worker.stop()


def test_stop_ends_a_worker_that_is_still_warming_up() -> None:
    """A load that fails at once (e.g. another load holds the warehouse) must not wait for a
    slow import to finish."""
    worker = WarmProcess(fn.slow_warm_up, name="test-worker")
    worker.start()
    process = worker._process  # noqa: SLF001 - the test looks at the real process
    assert process is not None and process.is_alive() and is_running(process.pid)
    worker.stop()
    assert not is_running(process.pid)


def test_a_low_priority_worker_runs_niced() -> None:
    worker = WarmProcess(name="test-worker", niceness=10)
    worker.start()
    try:
        assert worker.call(fn.niceness) == os.nice(0) + 10
    finally:
        worker.stop()


def test_calling_a_worker_that_was_not_started_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        WarmProcess(name="test-worker").call(fn.add, 1, 2)


ORPHAN_STARTER = """
import time
from orchestration.runtime.workers import WarmProcess
from tests.orchestration.runtime.worker_functions import slow_warm_up
if __name__ == "__main__":
    worker = WarmProcess(slow_warm_up)
    worker.start()
    print(worker._process.pid, worker.origin, flush=True)
    time.sleep(3600)
"""


def test_a_worker_ends_when_the_load_that_started_it_is_killed(tmp_path: Path, kind: str) -> None:
    """kill -9 of a load cannot stop its workers: they notice and end by themselves (a
    spawned one when it is orphaned, a forked one when the pidfd of its load says so)."""
    script = tmp_path / "starter.py"
    script.write_text(ORPHAN_STARTER)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    starter = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                               cwd=PROJECT_ROOT, env=env)
    assert starter.stdout is not None
    pid, origin = starter.stdout.readline().decode().split(" ", 1)
    worker = int(pid)
    assert origin.startswith(origin_of(kind)), origin
    starter.send_signal(signal.SIGKILL)
    starter.wait()
    # It notices within ORPHAN_CHECK_SECONDS once running; the ceiling only stops a hang.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if not is_running(worker):
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("the worker outlived the load that started it")

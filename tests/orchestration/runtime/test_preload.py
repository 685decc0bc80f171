"""The preload server (orchestration/runtime/preload.py): real servers, real forked workers.

WarmProcess's own behaviour with a forked worker (answers, errors, death, stop, kill -9 of its
load) is tested for both kinds of worker in test_workers.py, on the suite's server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.runtime.preload import PreloadServer
from orchestration.runtime.preload_client import PRELOAD_ENV
from orchestration.runtime.workers import WarmProcess
from orchestration.settings import PROJECT_ROOT
from tests.orchestration.runtime import worker_functions as fn


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return False
    return stat.rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")


def _wait_for(condition: object, what: str, ceiling: float = 120.0) -> None:
    """Wait for `condition()`; the ceiling only stops a hang."""
    deadline = time.monotonic() + ceiling
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.05)


def test_a_forked_worker_runs_as_its_caller_with_great_expectations_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its caller's environment and folder, as a spawned worker would have; Great
    Expectations already imported before any warm-up or call (the server's warm-up)."""
    assert os.environ.get(PRELOAD_ENV), "tests/conftest.py starts the preload server"
    monkeypatch.setenv("TUPHAP_TEST_VALUE", "from the caller")
    monkeypatch.chdir(tmp_path)
    worker = WarmProcess(name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("forked by the preload server"), worker.origin
        assert worker.call(fn.imported, "great_expectations")
        assert worker.call(fn.environment_value, "TUPHAP_TEST_VALUE") == "from the caller"
        assert worker.call(fn.folder) == str(tmp_path)
        assert worker.call(fn.pid) not in (os.getpid(), os.getppid())
    finally:
        worker.stop()


def test_without_an_answering_server_the_worker_is_spawned_and_the_log_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PRELOAD_ENV, str(tmp_path / "gone.sock"))
    worker = WarmProcess(fn.warm_up, name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("a new process (pid "), worker.origin
        assert "the preload server did not answer" in worker.origin
        assert "FileNotFoundError" in worker.origin
        assert worker.call(fn.what_was_warmed) == ["warm"]
        assert not worker.call(fn.imported, "great_expectations")
    finally:
        worker.stop()


STARTER = """
import time
from orchestration.runtime.preload import PreloadServer
server = PreloadServer.start()
while not server.ready():
    assert server.process.poll() is None, "the preload server ended"
    time.sleep(0.05)
print(server.process.pid, server.socket_path, flush=True)
time.sleep(3600)
"""


def test_the_server_ends_with_the_process_that_started_it_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    """`make serve` or a test run killed outright: its preload server ends too (parent-death
    signal), removing its socket and folder; a load then spawns its worker."""
    script = tmp_path / "starter.py"
    script.write_text(STARTER)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    starter = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                               cwd=PROJECT_ROOT, env=env)
    assert starter.stdout is not None
    pid, socket_path = starter.stdout.readline().decode().split()
    server, folder = int(pid), Path(socket_path).parent
    try:
        assert _running(server) and Path(socket_path).exists()
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        _wait_for(lambda: not _running(server), "the end of the preload server")
        _wait_for(lambda: not folder.exists(), "the removal of its folder")
    finally:
        if _running(server):
            os.kill(server, signal.SIGKILL)


def test_stop_ends_the_server_and_removes_its_folder() -> None:
    server = PreloadServer.start()
    try:
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.returncode is not None and not server.folder.exists()

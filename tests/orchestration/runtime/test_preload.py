"""The preload server (orchestration/runtime/preload.py): real servers, real forked workers.

WarmProcess's own behaviour with a forked worker (answers, errors, death, stop, kill -9 of its
load) is tested for both kinds of worker in test_workers.py, on the suite's server."""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration.runtime.preload import MODULE, PreloadServer
from orchestration.runtime.preload_client import PRELOAD_ENV, qualified_name
from orchestration.runtime.proc import is_running
from orchestration.runtime.workers import WarmProcess
from orchestration.settings import PROJECT_ROOT
from tests.orchestration.runtime import worker_functions as fn


def _wait_for(condition: Callable[[], bool], what: str, ceiling: float = 120.0) -> None:
    """Wait for `condition()`; the ceiling only stops a hang."""
    deadline = time.monotonic() + ceiling
    while not condition():
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


def test_loads_asking_at_once_each_get_a_forked_worker() -> None:
    """Two processes ask the suite's server for 15 workers each, at once: every one is forked
    and answers (an empty send after the fds once raced the other side's close)."""
    pool = multiprocessing.get_context("spawn").Pool(2)
    try:
        origins = [origin for batch in pool.map(fn.origins_of_workers, [15, 15])
                   for origin in batch]
        # Ended by their queue, not by SIGTERM (the pool's __exit__): a process that inherited
        # SIGTERM ignored would never end, and the suite would hang (seen under a profiler).
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    assert len(origins) == 30
    assert all(origin.startswith("forked by the preload server (pid ") for origin in origins), \
        origins


def test_without_an_answering_server_the_worker_is_spawned_and_the_log_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PRELOAD_ENV, str(tmp_path / "gone.sock"))
    worker = WarmProcess(fn.warm_up, name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("a new process (pid "), worker.origin
        assert "; the preload server did not fork it: FileNotFoundError" in worker.origin
        assert worker.call(fn.what_was_warmed) == ["warm"]
        assert not worker.call(fn.imported, "great_expectations")
    finally:
        worker.stop()


def test_a_server_running_other_code_forks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server started before an update, or from another checkout or interpreter, would run
    other code than the load's: it refuses, and the load spawns its worker. Here the other
    interpreter path of the same environment (python3.11 beside python) is enough."""
    other = Path(sys.executable).with_name("python3.11")
    assert other.exists() and str(other) != sys.executable
    folder = tmp_path / "server"
    folder.mkdir(mode=0o700)
    server = subprocess.Popen(
        [str(other), "-m", MODULE, "--socket", str(folder / "s"), "--warm-up",
         qualified_name(fn.warm_up)], cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL)
    try:
        _wait_for(lambda: (folder / "s").exists() or server.poll() is not None, "the server")
        monkeypatch.setenv(PRELOAD_ENV, str(folder / "s"))
        worker = WarmProcess(name="test-worker")
        worker.start()
        try:
            assert worker.origin.startswith("a new process (pid "), worker.origin
            assert "runs other code than this load" in worker.origin, worker.origin
        finally:
            worker.stop()
    finally:
        server.terminate()
        server.wait()


def test_a_worker_that_cannot_start_in_the_server_is_spawned_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    """Its warm-up's module is not on the server's path (it is on the caller's): the forked
    child ends before it serves, its traceback goes to the caller's stderr, and the caller
    spawns its worker, which finds the module."""
    (tmp_path / "only_here.py").write_text("def warm_up():\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import only_here

    worker = WarmProcess(only_here.warm_up, name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("a new process (pid "), worker.origin
        assert "did not fork it" in worker.origin, worker.origin
        assert worker.call(fn.add, 1, 2) == 3
    finally:
        worker.stop()
    assert "No module named 'only_here'" in capfd.readouterr().err


STARTER = """
from orchestration.quality.evaluate import warm_up
from orchestration.runtime.preload import PreloadServer
from orchestration.runtime.preload_client import qualified_name
import time
server = PreloadServer.start(warm_ups=[qualified_name(warm_up)])
assert server.wait_ready(), "the preload server did not start"
print(server.process.pid, server.socket_path, oct(server.folder.stat().st_mode & 0o777),
      oct(server.socket_path.stat().st_mode & 0o777), flush=True)
time.sleep(3600)
"""


def test_the_server_ends_with_the_process_that_started_it_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    """`make serve` or a test run killed outright: its preload server ends too (parent-death
    signal), removing its socket and folder; a load then spawns its worker. Both are private
    to their user while it runs."""
    script = tmp_path / "starter.py"
    script.write_text(STARTER)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    starter = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                               cwd=PROJECT_ROOT, env=env)
    assert starter.stdout is not None
    ready, _, _ = select.select([starter.stdout], [], [], 300)  # a ceiling against a hang
    assert ready, "the starter said nothing"
    pid, socket_path, folder_mode, socket_mode = starter.stdout.readline().decode().split()
    server, folder = int(pid), Path(socket_path).parent
    try:
        assert is_running(server) and Path(socket_path).exists()
        assert (int(folder_mode, 8) & 0o077, int(socket_mode, 8) & 0o077) == (0, 0)
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        _wait_for(lambda: not is_running(server), "the end of the preload server")
        _wait_for(lambda: not folder.exists(), "the removal of its folder")
    finally:
        if is_running(server):
            os.kill(server, signal.SIGKILL)
        starter.stdout.close()


def test_stop_ends_the_server_and_removes_its_folder() -> None:
    server = PreloadServer.start(warm_ups=[qualified_name(fn.warm_up)])
    try:
        assert server.process.poll() is None
    finally:
        server.stop()
    assert server.process.returncode is not None and not server.folder.exists()


def test_a_helper_starts_with_a_new_processs_signal_dispositions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server started where SIGINT is ignored (`make serve &` from a script) still forks
    helpers that take the SIGINT the dbt shim forwards to cancel a build, as a spawned one
    would; SIGTERM ends one through its clean-ups."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the server
    try:
        server = PreloadServer.start(warm_ups=[qualified_name(fn.warm_up)])
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert server.wait_ready()
        monkeypatch.setenv(PRELOAD_ENV, str(server.socket_path))
        worker = WarmProcess(name="test-worker")
        worker.start()
        try:
            assert worker.origin.startswith("forked by the preload server"), worker.origin
            assert worker.call(fn.signal_handlers) == {
                "SIGINT": "default_int_handler", "SIGTERM": "<lambda>", "SIGCHLD": "SIG_DFL"}
        finally:
            worker.stop()
    finally:
        server.stop()


@pytest.mark.parametrize("ending", ["told", "terminated"])
def test_a_forked_helper_leaves_no_named_semaphore(ending: str) -> None:
    """dbt makes its locks from a "spawn" context: named semaphores, which the server's shared
    resource tracker would unlink only when the server ends. A helper ending (told to, or
    stopped with SIGTERM as a load stops its warm dbt) unlinks its own."""
    worker = WarmProcess(name="test-worker")
    worker.start()
    try:
        assert worker.origin.startswith("forked by the preload server"), worker.origin
        name = worker.call(fn.named_semaphore)
        semaphore = Path("/dev/shm") / f"sem.{name.lstrip('/')}"
        assert semaphore.exists()
        if ending == "terminated":
            worker._process.terminate()  # noqa: SLF001
    finally:
        worker.stop()
    assert not semaphore.exists()

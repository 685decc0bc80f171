"""Compute logs whose mirror to the terminal ends with the run (orchestration/runtime/
compute_logs.py): real processes, a real `tail`, real Dagster runs on the embedded instance."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from orchestration.runtime.compute_logs import TiedComputeLogManager, mirrored, tail_command
from orchestration.runtime.proc import is_running
from tests.deploy.service import wait_until
from tests.reliability.conftest import command_line, descendants

ROOT = Path(__file__).resolve().parents[3]

# A process mirroring its stdout to a file, which says so and then waits to be killed.
MIRRORING = textwrap.dedent("""
    import sys, time
    from orchestration.runtime.compute_logs import mirrored
    with mirrored(sys.stdout, sys.argv[1]):
        print("mirroring", flush=True)
        time.sleep(600)
""")

# A process writing into a pipe read slowly: the tail is still writing when it has read all.
INTO_A_SLOW_PIPE = textwrap.dedent("""
    import os, sys
    from orchestration.runtime.compute_logs import mirrored
    with mirrored(sys.stdout, sys.argv[1]):
        os.write(1, b"z" * 300_000 + b" the end\\n")
    print("done", flush=True)
""")

# A process that ignores SIGTERM (as its children then do) and mirrors its stdout for a moment.
IGNORING_SIGTERM = textwrap.dedent("""
    import signal, sys
    from orchestration.runtime.compute_logs import mirrored
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with mirrored(sys.stdout, sys.argv[1]):
        print("mirrored", flush=True)
    print("done", flush=True)
""")

# A run on the embedded instance that prints from itself and from a child process, the most
# just before it ends.
RUN = textwrap.dedent("""
    import subprocess
    import dagster as dg
    from orchestration.runtime.instance import dagster_home

    @dg.asset
    def printing() -> None:
        print("from the run", flush=True)
        subprocess.run(["echo", "from its child"], check=True)
        print("x" * 4_000_000 + " the end", flush=True)

    dagster_home()
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([printing], instance=instance)
        print(result.run_id)
""")


def test_the_mirrors_only_helper_is_a_tail_that_ends_with_the_killed_process(
        tmp_path: Path) -> None:
    """Stock Dagster starts a tail and then a watcher for it: a kill -9 between the two left
    the tail running forever. Here the tail is the only helper, tied to the process from the
    moment it exists."""
    log = tmp_path / "captured.out"
    process = subprocess.Popen([sys.executable, "-c", MIRRORING, str(log)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        # A bound, not a timing: without GNU tail's --pid nothing would ever come.
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "nothing mirrored in 60 s"
        assert process.stdout.readline() == b"mirroring\n"  # through the tail
        helpers = {pid: command_line(pid).strip() for pid in descendants(process.pid)}
        assert list(helpers.values()) == [" ".join(tail_command(str(log), process.pid))]
    finally:
        process.kill()
        process.wait()
    tail = next(iter(helpers))
    # tail looks for its process every second: a bound for a liveness check, not a timing.
    wait_until(lambda: not is_running(tail), f"end of tail {tail} after its process", 30,
               interval=0.05)
    assert log.read_text() == "mirroring\n"


def test_what_is_written_just_before_the_end_reaches_the_terminal(tmp_path: Path) -> None:
    """Stock Dagster stops the tail at once and may drop the last output; here the tail copies
    everything first."""
    terminal = tmp_path / "terminal"
    last = b"y" * 8_000_000 + b" the end\n"
    with open(terminal, "wb") as stream:
        with mirrored(stream, str(tmp_path / "captured.out")):  # type: ignore[arg-type]
            os.write(stream.fileno(), b"first\n" + last)
    assert terminal.read_bytes() == b"first\n" + last
    assert (tmp_path / "captured.out").read_bytes() == b"first\n" + last


def test_a_slowly_read_pipe_gets_everything(tmp_path: Path) -> None:
    """The tail has read the file to its end while its last chunk still waits for room in the
    pipe: it is stopped only once it has written that out too."""
    process = subprocess.Popen([sys.executable, "-c", INTO_A_SLOW_PIPE, str(tmp_path / "c")],
                               cwd=ROOT, stdout=subprocess.PIPE)
    assert process.stdout is not None
    received = b""
    while chunk := process.stdout.read(1024):
        received += chunk
        time.sleep(0.002)  # a slow reader: the pipe stays full
    assert process.wait(60) == 0
    assert received == b"z" * 300_000 + b" the end\ndone\n"


def test_the_mirror_ends_though_its_process_ignores_sigterm(tmp_path: Path) -> None:
    """A tail inherits the process's ignored signals: one stopped with SIGTERM would run on,
    and the run wait for it forever (seen: the suite hung in a pytest-xdist worker)."""
    done = subprocess.run([sys.executable, "-c", IGNORING_SIGTERM, str(tmp_path / "c.out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "mirrored\ndone\n"


def test_a_run_on_the_embedded_instance_keeps_its_output_and_mirrors_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run prints reaches the terminal in full and stays in Dagster's files (the UI's
    stdout tab), from the run's process and from its children."""
    home = tmp_path / "dagster_home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    terminal = tmp_path / "terminal"
    with open(terminal, "wb") as stdout:
        subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, env=env, stdout=stdout,
                       check=True)
    shown = terminal.read_text().splitlines()
    run_id = shown[-1]
    assert shown[:2] == ["from the run", "from its child"]
    assert shown[2].endswith(" the end") and len(shown[2]) == 4_000_008
    assert "compute_logs:" in (home / "dagster.yaml").read_text()

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        manager = instance.compute_log_manager
        assert isinstance(manager, TiedComputeLogManager)
        captured = [event.dagster_event.logs_captured_data.file_key
                    for event in instance.all_logs(run_id, of_type=DagsterEventType.LOGS_CAPTURED)
                    if event.dagster_event]
        key = manager.build_log_key_for_run(run_id, captured[0])
        assert manager.is_capture_complete(key)
        data = manager.get_log_data(key)
    stdout_text = (data.stdout or b"").decode()
    assert stdout_text.startswith("from the run\nfrom its child\n")
    assert stdout_text.endswith(" the end\n")
    assert Path(manager._base_dir, run_id).is_dir()  # noqa: SLF001 - Dagster's place
    assert str(Path(manager._base_dir)) == str(home / "storage")  # noqa: SLF001

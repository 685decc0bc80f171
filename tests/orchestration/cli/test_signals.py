"""SIGTERM after a job run in the command's process (orchestration/cli/signals.py): a real
Dagster run in a process started as a script's background job is (SIGINT ignored)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Runs a job in process, then starts a child and says whether it ignores SIGTERM (bit 15 of
# SigIgn in /proc) and, if not, that a SIGTERM ends it.
AFTER_A_RUN = textwrap.dedent("""
    import contextlib, signal, subprocess, sys
    from pathlib import Path
    import dagster as dg
    from orchestration.cli.signals import sigterm_kept

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in `tuphap load &` in a script

    @dg.asset
    def nothing() -> None:
        pass

    kept = sigterm_kept() if sys.argv[1] == "kept" else contextlib.nullcontext()
    with kept:
        assert dg.materialize([nothing]).success
    child = subprocess.Popen(["sleep", "60"])
    status = Path(f"/proc/{child.pid}/status").read_text()
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:"))
                  .split()[1], 16)
    if ignored & 1 << (signal.SIGTERM - 1):
        child.kill()
        print("ignored SIGTERM")
    else:
        child.terminate()
        print("ended" if child.wait(60) == -signal.SIGTERM else "?")
""")


@pytest.mark.parametrize(("how", "child"), [("kept", "ended"), ("as dagster leaves it",
                                                                 "ignored SIGTERM")])
def test_a_process_started_after_the_run_ends_at_sigterm(tmp_path: Path, how: str,
                                                         child: str) -> None:
    """Without `sigterm_kept`, Dagster's own behaviour (checked, so that an upgrade that fixes
    it shows): the child inherits SIGTERM ignored."""
    done = subprocess.run([sys.executable, "-c", AFTER_A_RUN, how], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path),
                               "DAGSTER_DISABLE_TELEMETRY": "1"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == child

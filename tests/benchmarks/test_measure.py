"""The process measurement sees memory in grandchildren and stops a process that overruns."""

from __future__ import annotations

import sys

from benchmarks.measure import measure_command


def test_measure_command_sees_a_grandchild_and_stops_overruns() -> None:
    grandchild = "b = b'x' * (160 * 1024 * 1024); import time; time.sleep(0.4)"
    child = ("import subprocess, sys; "
             f"subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)")
    run = measure_command([sys.executable, "-c", child], timeout=60)
    assert run.ok and run.exit_code == 0
    assert run.tree_peak_kib >= 150 * 1024  # sampled from /proc across the tree
    assert run.ru_maxrss_kib >= 150 * 1024  # wait4: the largest waited-for descendant
    stopped = measure_command([sys.executable, "-c", "import time; time.sleep(60)"],
                              timeout=0.5)
    assert stopped.timed_out and not stopped.ok
    failed = measure_command([sys.executable, "-c", "import sys; sys.exit(3)"], timeout=60)
    assert failed.exit_code == 3 and not failed.ok

"""The process measurement sees memory in grandchildren and stops a process that overruns."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import measure
from benchmarks.measure import measure_command

MIB = 1024


def test_measure_command_sees_a_grandchild_and_stops_overruns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The grandchild holds 160 MiB until the tree sampler has seen them (however busy the
    # machine, the sampler gets its look): the real sampling, watched as it happens.
    seen = tmp_path / "seen"
    grandchild = ("import pathlib, time; b = b'x' * (160 * 1024 * 1024)\n"
                  f"while not pathlib.Path({str(seen)!r}).exists(): time.sleep(0.01)")
    child = ("import subprocess, sys; "
             f"subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)")
    sample = measure.tree_rss_kib

    def watched(root: int, table: dict[int, tuple[int, int]] | None = None) -> int:
        kib = sample(root, table)
        if kib >= 150 * MIB:
            seen.touch()
        return kib

    monkeypatch.setattr(measure, "tree_rss_kib", watched)
    run = measure_command([sys.executable, "-c", child], timeout=600)
    assert run.ok and run.exit_code == 0
    assert run.tree_peak_kib >= 150 * MIB  # sampled from /proc across the tree
    assert run.ru_maxrss_kib >= 150 * MIB  # wait4: the largest waited-for descendant
    stopped = measure_command([sys.executable, "-c", "import time; time.sleep(600)"],
                              timeout=0.5)
    assert stopped.timed_out and not stopped.ok
    failed = measure_command([sys.executable, "-c", "import sys; sys.exit(3)"], timeout=60)
    assert failed.exit_code == 3 and not failed.ok


def test_a_load_waits_for_the_reports_it_left_in_the_background() -> None:
    """The next measurement never shares the cores with the last load's reports."""
    import subprocess

    from benchmarks.loads import wait_for_background_reports

    child = subprocess.Popen(["sleep", "0.3"])
    line = f"Yearly reports: being made in the background (pid {child.pid}) …"
    waited = wait_for_background_reports(line, timeout=60)
    assert waited is not None and child.poll() is not None  # it had ended (a zombie, here)
    assert wait_for_background_reports("no reports this load", timeout=60) is None

"""One process, measured: wall time, exit code and peak memory of a command and its children.

Peak memory is measured two ways: ru_maxrss from os.wait4 (the largest single process among the
child and the descendants it waited for) and the peak of the summed RSS of the child's whole
process tree, sampled from /proc every 50 ms (dbt runs as a grandchild).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TIMEOUT = 15 * 60.0  # a single load slower than this is stopped and reported
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss KiB) of every process, from /proc/<pid>/stat."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                raw = handle.read()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid ..."; comm may hold spaces and parentheses
        fields = raw[raw.rfind(b")") + 2:].split()
        try:
            table[int(entry.name)] = (int(fields[1]), int(fields[21]) * _PAGE_KIB)
        except (IndexError, ValueError):
            continue
    return table


def tree_rss_kib(root: int, table: dict[int, tuple[int, int]] | None = None) -> int:
    """Summed RSS of `root` and all its descendants (shared pages are counted per process)."""
    table = table if table is not None else _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every `interval` seconds; keeps the peak."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_kib = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.root))
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kib


@dataclass
class ProcessRun:
    """One run of a command: wall time, exit code, memory, and where its output went."""

    seconds: float
    exit_code: int
    ru_maxrss_kib: int  # largest single process among the child and its waited-for descendants
    tree_peak_kib: int  # peak of the summed RSS of the child's process tree (sampled)
    timed_out: bool = False
    stdout: str = ""
    stderr_tail: str = ""
    extra: dict = field(default_factory=dict)
    started_at: float = 0.0  # wall-clock (epoch) start, to place the run's own timestamps

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @property
    def peak_kib(self) -> int:
        return max(self.tree_peak_kib, self.ru_maxrss_kib)

    def as_json(self) -> dict:
        return {"seconds": round(self.seconds, 3), "exit_code": self.exit_code,
                "timed_out": self.timed_out, "ru_maxrss_kib": self.ru_maxrss_kib,
                "tree_peak_kib": self.tree_peak_kib, **self.extra}


class _Watchdog(threading.Thread):
    """Stops the process group of `pid` once `timeout` seconds pass before `finished` is set:
    SIGTERM, 10 s of grace, then SIGKILL. Only groups this harness started are signalled."""

    def __init__(self, pid: int, timeout: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.timeout = pid, timeout
        self.finished = threading.Event()
        self.timed_out = threading.Event()

    def run(self) -> None:
        if self.finished.wait(self.timeout):
            return
        self.timed_out.set()
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                return
            if self.finished.wait(grace):
                return


def measure_command(argv: Sequence[str], *, env: dict[str, str] | None = None,
                    cwd: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
                    interval: float = 0.05, log_dir: Path | None = None) -> ProcessRun:
    """Run a command as its own process group; wall time, ru_maxrss (os.wait4) and tree peak.

    A command still running after `timeout` seconds is stopped (its whole process group, which
    only this harness started) and reported as timed out.
    """
    with tempfile.TemporaryDirectory(prefix="tuphap-bench-out-") as scratch:
        out_dir = log_dir or Path(scratch)
        out_path, err_path = out_dir / "stdout.txt", out_dir / "stderr.txt"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started_at, started = time.time(), time.perf_counter()
            proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=out, stderr=err,
                                    start_new_session=True)
            sampler = TreeSampler(proc.pid, interval)
            sampler.start()
            watchdog = _Watchdog(proc.pid, timeout)
            watchdog.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            watchdog.finished.set()
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            tree_peak = sampler.stop()
            watchdog.join()
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
    return ProcessRun(seconds, proc.returncode, int(usage.ru_maxrss), tree_peak,
                      watchdog.timed_out.is_set(), stdout, stderr[-4000:],
                      started_at=started_at)

"""Dagster's compute logs, mirrored by a `tail` that cannot outlive the run.

While a run executes, Dagster points the process's stdout and stderr at files (the UI's
stdout/stderr tabs) and starts a `tail -F` per file to copy them back to the terminal. Stock
Dagster ties each tail's life to the run with a second helper, a Python watcher started just
after it: a `kill -9` of the run between the two starts (or while the tail itself was being
started) left a `tail -F` running forever (seen in tests/reliability's kill story). Here the
tail watches the run's process itself (GNU tail's `--pid`) from the moment it exists: one
process per stream, none left behind, no interpreter start for a watcher.

It also waits, at the end of a capture, until the tail has written out everything the file
holds (Dagster stops it at once and can drop the last lines, dagster-io/dagster#23336).

Overrides `capture_logs` of dagster 1.13's `LocalComputeLogManager` with its private
`redirect_to_file`, `ensure_file` and `touch_file` (tests/orchestration/runtime/test_vendor.py
checks them); everything else (files, paths, what the UI reads) is Dagster's. Standard Dagster
only, without dagster-dbt: the service's daemon and webserver load it (deploy/dagster.yaml).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from dagster import Field, StringSource
from dagster._core.execution.compute_logs import redirect_to_file
from dagster._core.storage.compute_log_manager import CapturedLogContext, ComputeIOType
from dagster._core.storage.local_compute_log_manager import (
    IO_TYPE_EXTENSION,
    LocalComputeLogManager,
)
from dagster._serdes import ConfigurableClassData
from dagster._utils import ensure_file, touch_file

__all__ = ["TiedComputeLogManager", "mirrored"]

CATCH_UP_SECONDS = 5.0  # at most, for the tail to copy the last output before it is stopped


class TiedComputeLogManager(LocalComputeLogManager):
    """Dagster's local compute log manager whose mirror to the terminal ends with the run.

    `base_dir` defaults to `$DAGSTER_HOME/storage`, where Dagster keeps its compute logs when
    dagster.yaml names no manager, so a service's dagster.yaml needs no path of its own.
    """

    def __init__(self, base_dir: str | None = None, polling_timeout: float | None = None,
                 inst_data: ConfigurableClassData | None = None) -> None:
        home = os.environ.get("DAGSTER_HOME", ".")
        super().__init__(base_dir or os.path.join(home, "storage"), polling_timeout, inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {**super().config_type(), "base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> TiedComputeLogManager:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def capture_logs(self, log_key: Sequence[str]) -> Iterator[CapturedLogContext]:
        paths = [self.get_captured_local_path(log_key, IO_TYPE_EXTENSION[io_type])
                 for io_type in (ComputeIOType.STDOUT, ComputeIOType.STDERR)]
        with mirrored(sys.stdout, paths[0]), mirrored(sys.stderr, paths[1]):
            yield CapturedLogContext(log_key)
        touch_file(self.complete_artifact_path(log_key))  # the UI: the capture is complete


@contextmanager
def mirrored(stream: IO[str], path: str) -> Iterator[None]:
    """While the block runs, what this process (and a child it starts) writes to `stream`'s
    file descriptor goes to the file at `path`, and a tail copies it on to where `stream` went."""
    path = os.path.abspath(path)  # the run may change directory before the tail is stopped
    ensure_file(path)
    target = _fileno(stream)
    # Not a real file (a test runner's capture): as Dagster, no redirect and nothing to mirror.
    tail = None if target is None else subprocess.Popen(
        tail_command(path, os.getpid()), stdout=target, stdin=subprocess.DEVNULL)
    try:
        with redirect_to_file(stream, path):
            yield
    finally:
        if tail is not None:
            _stop(tail, path)


def tail_command(path: str, pid: int) -> list[str]:
    """The whole file, then what is added to it, until process `pid` has ended."""
    return ["tail", "-F", "-c", "+0", f"--pid={pid}", path]


def _stop(tail: subprocess.Popen[bytes], path: str) -> None:
    """Stop the tail once it has copied everything, whatever happens meanwhile (Ctrl-C).
    SIGKILL: it has nothing left to do, and a tail that inherited SIGTERM ignored (from a
    process started where SIGINT is ignored, which Dagster copies to SIGTERM: cli/signals.py)
    would not stop at SIGTERM, and the run would wait for it forever."""
    try:
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while (tail.poll() is None and not caught_up(tail.pid, path)
               and time.monotonic() < deadline):
            time.sleep(0.01)
    finally:
        tail.kill()
        tail.wait()


def caught_up(pid: int, path: str) -> bool:
    """Whether process `pid` (the tail, `-c +0`) has written as many bytes as the file at
    `path` holds: /proc/<pid>/io's `wchar` counts bytes actually written, where its offset in
    the file would count a chunk read and not yet out (to a slow pipe, say). True when either
    cannot be read: nothing is left to wait for."""
    try:
        size = os.path.getsize(path)
        counters = Path(f"/proc/{pid}/io").read_text()
    except OSError:
        return True
    written = next((int(line.split()[1]) for line in counters.splitlines()
                    if line.startswith("wchar:")), size)
    return written >= size


def _fileno(stream: IO[str]) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, io.UnsupportedOperation, ValueError):
        return None

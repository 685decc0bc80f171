"""What a load's steps report about their progress, to whoever listens.

A national load runs for 10-60 s before its summary; the steps say what they are doing (files
archived, files parsed, dbt nodes built, the run's steps starting), as Dagster steps report to
their context. Who shows it is not their business: the CLI listens while it runs a load in this
process and draws one line on a terminal (orchestration/cli/progress.py); a load in the service,
a test or a pipe has no listener, and reporting costs nothing.

Phases: "start", "archive" and "parse" (done/total files), "write", "dbt" (done/total nodes,
detail the node), "step" (detail the Dagster step's key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int, str], None]  # phase, done, total, detail

_listener: Listener | None = None


def report(phase: str, done: int = 0, total: int = 0, detail: str = "") -> None:
    """What the load is doing now; nothing happens unless someone listens."""
    if _listener is not None:
        _listener(phase, done, total, detail)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Hand every report of this process to `listener` while the block runs."""
    global _listener  # noqa: PLW0603 - the one listener of this process
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous

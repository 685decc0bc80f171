"""What a long `tuphap load` shows while it works: one line on the terminal, rewritten in place.

The load's steps report what they do to orchestration/progress.py; while the CLI runs a load in
this process and writes to a terminal, it listens (`showing`) and draws what it hears:

- the ingest loop: files archived, then files parsed, out of the total;
- the dbt build, node by node, as dbt counts them;
- the run's later steps (quality checks, alerts, publish), from the Dagster run's own step
  events (cli/load.py).

Nothing is shown when the output is not a terminal: a pipe or cron prints exactly the summary.

The line is plain text rewritten after a carriage return, padded over what it replaces and cut
to the terminal's width (a wrapped line could not be rewritten): no escape sequences, so it
works on any terminal, and no dependency. It is cleared before anything else is printed.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ingest.vn_format import format_number
from orchestration import progress

# What the load is doing, by phase: shown with its count ("receiving 812/1.604 files").
PHASES = {
    "start": "starting (loading the project)",
    "archive": "receiving the inbox: {done}/{total} files archived",
    "parse": "reading reports: {done}/{total} files parsed",
    "write": "writing the raw tables",
    "dbt": "dbt build: {done}/{total} nodes",
    "step": "{detail}",  # detail: the Dagster step's key, shown as STEPS names it
}
# Dagster steps of the load, as the data team knows them; another step shows its own name.
STEPS = {
    "raw_reports": "receiving the inbox",
    "warehouse_models": "dbt build: starting",
    "dq_issues": "quality checks",
    "quality_alerts": "sending alerts",
    "published_warehouse": "publishing the warehouse",
    "yearly_reports": "writing the yearly reports",
}
MIN_INTERVAL_SECONDS = 0.1  # a national inbox reports ~3.000 steps: redraw at most 10 times/s



def terminal_stream() -> TextIO | None:
    """Where progress goes: stderr when it is a terminal, else stdout when that is one (the
    summary goes to stdout), else nowhere. A "dumb" terminal cannot rewrite a line."""
    if os.environ.get("TERM") == "dumb":
        return None
    for stream in (sys.stderr, sys.stdout):
        try:
            if stream is not None and stream.isatty():
                return stream
        except ValueError:  # a closed stream
            continue
    return None


def describe(phase: str, done: int, total: int, detail: str) -> str:
    """The progress line's text (pure)."""
    if phase == "step":
        detail = STEPS.get(detail, detail.replace("_", " "))
    text = PHASES.get(phase, phase).format(done=format_number(done),
                                           total=format_number(total), detail=detail)
    if phase == "dbt" and detail:
        text += f" ({detail})"
    return text


class TerminalLine:
    """One line of a terminal, rewritten in place: `show` replaces it, `clear` removes it."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self._shown = 0  # characters on the line now
        self._last_draw = float("-inf")
        self._last_phase = ""

    def update(self, phase: str, done: int = 0, total: int = 0, detail: str = "") -> None:
        """Redraw, unless the same phase was drawn less than MIN_INTERVAL_SECONDS ago (the last
        count of a phase is always drawn)."""
        now = self.clock()
        if (phase == self._last_phase and done != total
                and now - self._last_draw < MIN_INTERVAL_SECONDS):
            return
        self._last_phase, self._last_draw = phase, now
        elapsed = int(now - self.started)
        self.show(f"tuphap load [{elapsed // 60}:{elapsed % 60:02d}] "
                  + describe(phase, done, total, detail))

    def width(self) -> int:
        """The terminal's width now (it may be resized while the load runs)."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return 80

    def show(self, text: str) -> None:
        text = text[:max(self.width() - 1, 1)]  # the last column would wrap on some terminals
        self.stream.write("\r" + text + " " * max(self._shown - len(text), 0))
        self.stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0


@contextmanager
def showing(stream: TextIO | None) -> Iterator[TerminalLine | None]:
    """Show the load's progress on `stream` (None: show nothing) while the block runs; the
    line is cleared when it ends, however it ends."""
    if stream is None:
        yield None
        return
    line = TerminalLine(stream)
    try:
        with progress.listening(line.update):
            line.update("start")
            yield line
    finally:
        line.clear()

"""The progress line of `tuphap load` (orchestration/cli/progress.py) on a real pseudo-terminal:
rewritten in place, cut to the terminal's width, cleared at the end; shown only on a terminal;
fed by dbt's node events (orchestration/dbt/invocation.py). A real load on a terminal:
tests/e2e/test_load_output.py."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
from collections.abc import Iterator
from typing import TextIO

import pytest

from orchestration import progress as steps
from orchestration.cli import progress
from orchestration.dbt.invocation import node_progress, report_nodes


@pytest.fixture
def terminal() -> Iterator[tuple[TextIO, int]]:
    """A pseudo-terminal 70 columns wide: the stream a program writes to, and the fd that
    reads what the terminal received."""
    reader, writer = pty.openpty()
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 70, 0, 0))
    stream = os.fdopen(writer, "w", encoding="utf-8")
    try:
        yield stream, reader
    finally:
        stream.close()
        os.close(reader)


def _received(reader: int) -> str:
    """Everything the terminal received: read until nothing more arrives for 0,2 s (a pty may
    hand over what was written in several reads, not one)."""
    chunks = []
    while select.select([reader], [], [], 0.2)[0]:
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # the writer's side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_is_rewritten_in_place_and_cleared(terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    clock = Clock()
    line = progress.TerminalLine(stream, clock=clock)
    line.update("archive", 0, 1604)
    clock.now = 0.05
    line.update("archive", 800, 1604)  # too soon after the last draw: not drawn
    line.update("archive", 1604, 1604)  # a phase's last count always is
    clock.now = 75.0
    line.update("dbt", 57, 110, "fct_enforcement_current_boundaries_by_province")
    line.clear()

    screen = _received(reader)
    frames = screen.split("\r")
    assert frames[1] == "tuphap load [0:00] receiving the inbox: 0/1.604 files archived"
    assert frames[2].startswith("tuphap load [0:00] receiving the inbox: 1.604/1.604 files")
    assert "800/1.604" not in screen
    dbt = frames[3].rstrip()
    assert dbt.startswith("tuphap load [1:15] dbt build: 57/110 nodes (fct_enforcement")
    assert len(dbt) == 69  # cut to the terminal's width, never wrapped
    assert frames[-1] == "" and set(frames[-2]) == {" "}  # cleared
    assert "\n" not in screen


def test_progress_goes_only_to_a_terminal(
    terminal: tuple[TextIO, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream, _ = terminal
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.setattr(sys, "stdout", pipe)
        monkeypatch.setattr(sys, "stderr", stream)
        assert progress.terminal_stream() is stream
        monkeypatch.setattr(sys, "stderr", pipe)
        assert progress.terminal_stream() is None
        monkeypatch.setattr(sys, "stdout", stream)  # the summary's stream, when it is a terminal
        assert progress.terminal_stream() is stream
        monkeypatch.setenv("TERM", "dumb")
        assert progress.terminal_stream() is None
    os.close(read_end)


def test_reports_reach_the_line_only_while_it_is_shown(terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    steps.report("archive", 1, 2)  # no listener: nothing happens
    with pytest.raises(RuntimeError), progress.showing(stream):
        steps.report("step", detail="dq_issues")
        steps.report("step", detail="a_new_step")
        raise RuntimeError("the load failed")
    steps.report("parse", 1, 2)
    with progress.showing(None) as line:
        assert line is None
        steps.report("parse", 1, 2)

    frames = _received(reader).split("\r")
    texts = [frame.rstrip()[len("tuphap load [0:00] "):] for frame in frames[1:-2]]
    assert texts == ["starting (loading the project)", "quality checks", "a new step"]
    assert frames[-1] == "" and not frames[-2].strip()  # cleared, even on failure


class _Event:
    def __init__(self, raw_event: dict) -> None:
        self.raw_event = raw_event


def _dbt_event(name: str, **data: object) -> dict:
    """A dbt JSON log event as dagster-dbt reads it (dbt's LogStartLine, Log*Result, …)."""
    return {"info": {"name": name, "level": "info"}, "data": data}


def test_dbt_nodes_are_counted_as_dbt_counts_them() -> None:
    started = _dbt_event("LogStartLine", index=3, total=104,
                         node_info={"node_name": "fct_enforcement"})
    model = _dbt_event("LogModelResult", index=3, total=104, status="success",
                       node_info={"node_name": "fct_enforcement"})
    test = _dbt_event("LogTestResult", index=4, num_models=104, status="pass",
                      node_info={"node_name": "unique_dim_unit_unit_code"})
    assert node_progress(started) == (2, 104, "fct_enforcement")
    assert node_progress(model) == (3, 104, "fct_enforcement")
    assert node_progress(test) == (4, 104, "unique_dim_unit_unit_code")
    assert node_progress(_dbt_event("MainReportVersion", version="1.11")) is None
    assert node_progress(_dbt_event("NodeFinished", node_info={})) is None

    class Invocation:
        def stream_raw_events(self) -> Iterator[_Event]:
            yield from (_Event(e) for e in (started, _dbt_event("Other"), model, test))

    seen: list[tuple[int, int, str]] = []
    invocation = Invocation()
    report_nodes(invocation, lambda *node: seen.append(node))
    events = [event.raw_event for event in invocation.stream_raw_events()]
    assert len(events) == 4  # every event still reaches dagster-dbt, unchanged
    assert seen == [(2, 104, "fct_enforcement"), (3, 104, "fct_enforcement"),
                    (4, 104, "unique_dim_unit_unit_code")]

"""What `tuphap load` tells its user, from the real console entry point: progress on a real
pseudo-terminal, none when the output is not a terminal, and every inbox entry it skipped
listed with its reason (and recorded in the warehouse)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import termios
from pathlib import Path

import duckdb
import pytest

from ingest.sample import write_sample
from orchestration.cli.summary import year_ranges
from tests.e2e.conftest import ROOT, TUPHAP, Loaded, isolated_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PROGRESS = "tuphap load ["  # how every progress line starts (orchestration/cli/progress.py)


def _on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 600) -> tuple[int, str]:
    """Run the console entry point with its standard streams on a new pseudo-terminal (120
    columns); return its exit code and everything the terminal received."""
    reader, writer = pty.openpty()
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen([*TUPHAP, *args], cwd=ROOT, env={**env, "TERM": "xterm"},
                               stdin=writer, stdout=writer, stderr=writer, close_fds=True)
    os.close(writer)
    received = bytearray()
    try:
        while True:
            ready, _, _ = select.select([reader], [], [], timeout)
            if not ready:
                raise TimeoutError(f"no output for {timeout} s: {received[-2000:]!r}")
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # EIO: the terminal's other end is closed, the command ended
                break
            if not chunk:
                break
            received += chunk
    finally:
        os.close(reader)
        code = process.wait(timeout=60)
    return code, received.decode("utf-8")


def test_a_load_on_a_terminal_shows_progress_and_lists_what_it_skipped(
    tmp_path: Path
) -> None:
    env = isolated_env(tmp_path)
    inbox = tmp_path / "inbox"
    write_sample(inbox, years=[2022], include_flawed=False)
    # A valid report gathered elsewhere and linked in, a FIFO, an empty folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = sorted(inbox.glob("*.xlsx"))[0]
    shutil.move(report, elsewhere / report.name)
    (inbox / report.name).symlink_to(elsewhere / report.name)
    os.mkfifo(inbox / "pipe.csv")
    (inbox / "empty").mkdir()

    code, screen = _on_a_terminal(["load"], env)

    assert code == 0, screen[-3000:]
    frames = screen.split("\r")
    shown = [frame.strip() for frame in frames if frame.startswith(PROGRESS)]
    assert any(re.search(r"receiving the inbox: \d+/\d+ files archived", f) for f in shown)
    assert any(re.search(r"reading reports: \d+/\d+ files parsed", f) for f in shown)
    dbt = [re.search(r"dbt build: (\d+)/(\d+) nodes", f) for f in shown]
    counts = [(int(m[1]), int(m[2])) for m in dbt if m]
    assert counts and counts[-1][0] == counts[-1][1] > 50  # node by node, to the last
    for step in ("quality checks", "publishing the warehouse"):
        assert any(step in frame for frame in shown), step
    # Then the line is cleared and the summary printed, as without a terminal.
    summary = screen[screen.index("tuphap load: scope"):].replace("\r\n", "\n")
    assert PROGRESS not in summary
    lines = summary.splitlines()
    assert lines[0] == "tuphap load: scope cluster, years 2022"
    assert "Skipped inbox entries: 2 (not read; see table raw.skipped_inbox_entries):" in lines
    assert f"  - {report.name}: symbolic link, not followed (copy the file itself into the" \
        " inbox)" in lines
    assert "  - pipe.csv: named pipe (FIFO), not a file: not read" in lines
    assert "empty" not in summary  # a folder is walked into; an empty one holds nothing

    with duckdb.connect(env["TUPHAP_WAREHOUSE"], read_only=True) as con:
        skipped = con.execute("select path, kind from raw.skipped_inbox_entries").fetchall()
        receipts = {name for (name,) in con.execute(
            "select source_file from raw.file_receipts").fetchall()}
    assert sorted(skipped) == sorted([(report.name, "symlink"), ("pipe.csv", "fifo")])
    assert report.name not in receipts  # the link was not followed


def test_a_load_not_on_a_terminal_prints_no_progress(demo_load: Loaded) -> None:
    first = demo_load.first
    for output in (first.stdout, first.stderr):
        assert "\r" not in output and PROGRESS not in output
    out = first.stdout
    assert not re.search(r"\b1 (errors|warnings|files|forms|accepted files|rejected files)\b",
                         out)
    with duckdb.connect(str(demo_load.warehouse), read_only=True) as con:
        years = [year for (year,) in con.execute(
            "select distinct year from raw.submissions").fetchall()]
    assert out.splitlines()[0] == f"tuphap load: scope cluster, years {year_ranges(years)}"

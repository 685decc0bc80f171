"""Two loads at once, and an analyst reading while a load runs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.reliability.conftest import (
    INIT_INSTANCE,
    ROOT,
    KillStory,
    content_diff,
    warehouse_content,
)
from tests.reliability.reader import observe

# One worker runs every test that shares the loads (make test: -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_loads")]


def test_two_loads_started_at_once_one_publishes_the_other_refuses(
    kill_story: KillStory,
) -> None:
    winner, loser = sorted(kill_story.first, key=lambda load: load.returncode)
    assert winner.returncode == 0, winner.stderr()[-3000:]
    assert loser.returncode != 0
    assert "another load is running" in loser.stderr(), loser.stderr()[-3000:]
    assert "--wait" in loser.stderr()
    assert "Traceback" not in loser.stdout() + loser.stderr()
    assert (loser.elapsed or 0) < (winner.elapsed or 0)  # refused at once, did not wait
    print(f"winner {winner.elapsed:.1f} s, loser refused after {loser.elapsed:.1f} s")


@pytest.mark.xfail(strict=False, reason=(
    "orchestration/load.py: _failure_message reports the outermost Dagster error "
    "(DagsterResourceFunctionError), not its cause, and Dagster's console logger prints the "
    "stack trace; fix proposed in the reliability report"))
def test_the_refusal_says_why_in_its_last_line_without_a_stack_trace(
    kill_story: KillStory,
) -> None:
    loser = max(kill_story.first, key=lambda load: load.returncode or 0)
    last_line = loser.stderr().strip().splitlines()[-1]
    assert "another load is running" in last_line, last_line
    assert "Stack Trace" not in loser.stderr()


def test_after_two_loads_at_once_the_warehouse_holds_one_complete_load(
    kill_story: KillStory, inboxes,  # noqa: ANN001
) -> None:
    content = kill_story.content_before
    received = content["raw.received_files"]
    assert len(received) == len(list(inboxes.part.iterdir()))
    assert len(content["raw.file_receipts"]) == len(received)  # not two receipts per file
    assert content["main.fct_enforcement"] and content["main.dq_issues"] is not None


def test_a_load_with_wait_waits_for_the_running_load_then_succeeds(
    kill_story: KillStory,
) -> None:
    rerun = kill_story.rerun
    assert rerun.returncode == 0, rerun.stderr()[-3000:]
    assert "another load is running" not in rerun.stderr()
    assert kill_story.rerun_waited_seconds > 5, kill_story.rerun_waited_seconds
    print(f"--wait load waited {kill_story.rerun_waited_seconds:.1f} s, then ran "
          f"{(rerun.elapsed or 0) - kill_story.rerun_waited_seconds:.1f} s")


def test_a_reader_is_never_disturbed_by_a_load(kill_story: KillStory) -> None:
    assert [reader.returncode for reader in kill_story.readers] == [0, 0]
    entries = [json.loads(line) for line in kill_story.reader_log.read_text().splitlines()]
    errors = [e for e in entries if "error" in e]
    assert not errors, errors[:5]
    held = [e for e in entries if e["conn"] == "held"]
    fresh = [e for e in entries if e["conn"] == "fresh"]
    # It read throughout the load that was waiting, then ran and published.
    rerun = kill_story.rerun
    assert len(held) > 100 and len(fresh) > 20, (len(held), len(fresh))
    con = duckdb.connect(str(kill_story.warehouse), read_only=True)
    try:
        after = observe(con)
    finally:
        con.close()
    before = held[0]["counts"]
    assert after != before
    # The open connection keeps the snapshot it opened; short-lived ones see the old content,
    # then the new one, and nothing in between.
    assert all(e["counts"] == before for e in held)
    assert {tuple(e["counts"]) for e in fresh} <= {tuple(before), tuple(after)}
    assert fresh[0]["counts"] == before and fresh[-1]["counts"] == after
    switched = next(e["t"] for e in fresh if e["counts"] == after)
    assert fresh[0]["t"] < switched
    print(f"reader: {len(held)} queries on a held connection, {len(fresh)} on new ones, "
          f"0 errors; load ran {rerun.elapsed:.0f} s")
    # And the content a new connection sees is the whole new load.
    assert not content_diff(warehouse_content(kill_story.warehouse),
                            kill_story.content_after_rerun)


# Each process imports Dagster, says it is ready, waits for the go file, then opens the
# instance exactly as `tuphap load` does (orchestration.load.run_load).
FIRST_USE = """
import sys, time
from pathlib import Path
import dagster as dg
from orchestration import settings
Path(sys.argv[2]).touch()
while not Path(sys.argv[1]).exists():
    time.sleep(0.001)
settings.dagster_home()
with dg.DagsterInstance.get() as instance:
    instance.get_runs(limit=1)
"""


@pytest.mark.xfail(strict=False, reason=(
    "orchestration.settings/load: two processes creating a fresh Dagster instance at once "
    "stamp two alembic heads into history/runs.db; every later load then fails. Fix proposed "
    "in the reliability report: create the storage once under an flock in dagster_home()."))
def test_two_loads_creating_a_fresh_dagster_instance_at_once_leave_it_usable(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-c", FIRST_USE, str(go), str(flag)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for flag in ready]
    deadline = time.monotonic() + 300
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    outcomes = [(proc.wait(300), proc.stderr.read().decode()[-300:]) for proc in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    heads = sqlite3.connect(tmp_path / "dagster_home" / "history" / "runs.db").execute(
        "select version_num from alembic_version").fetchall()
    later = subprocess.run([sys.executable, "-c", INIT_INSTANCE], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert [rc for rc, _ in outcomes] == [0, 0, 0, 0], outcomes
    assert len(heads) == 1, heads
    assert later.returncode == 0, later.stderr[-500:]

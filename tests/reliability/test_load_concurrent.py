"""Two loads at once, and an analyst reading while a load runs."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.reliability.conftest import KillStory, content_diff, warehouse_content
from tests.reliability.reader import observe

pytestmark = pytest.mark.slow


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
    assert kill_story.reader.returncode == 0, (kill_story.reader_log.parent / "logs")
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

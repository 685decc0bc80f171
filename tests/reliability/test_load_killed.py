"""A load killed at any point leaves the published warehouse exactly as it was.

See conftest.kill_story: part of the inbox is loaded and published, then loads of the whole
inbox are SIGKILLed (the process only, as the OOM killer does) at four points, then a load
that was waiting for the lock runs to the end. Content is compared table by table over the raw
and main schemas, timing columns (every TIMESTAMP column) left out.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import KillStory, ReferenceLoad, content_diff

# One worker runs every test that shares the loads (make test: -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_loads")]

POINTS = ["build copy made", "parsing new files", "dbt running",
          "after dq_issues and alerts, just before publish"]


def test_the_load_was_killed_at_each_point(kill_story: KillStory) -> None:
    assert [kill.point for kill in kill_story.kills] == POINTS
    for kill in kill_story.kills:
        assert kill.load.returncode == -9, kill.point
    print("killed at (s into the load):",
          {kill.point: round(kill.seconds_into_load, 1) for kill in kill_story.kills})


def test_the_published_warehouse_is_byte_for_byte_unchanged_after_each_kill(
    kill_story: KillStory,
) -> None:
    for kill in kill_story.kills:
        assert kill.published_sha_after == kill_story.published_sha_before, kill.point
        diff = content_diff(kill_story.content_before, kill.content_after)
        assert not diff, (kill.point, diff)


def test_no_stale_lock_blocks_the_next_load(kill_story: KillStory) -> None:
    # Probed from this process right after each kill: free at once (the OS dropped it).
    assert [kill.lock_free_after for kill in kill_story.kills[:-1]] == [True, True, True]
    # And each next load, started without --wait, got past it: it made its build copy (the
    # fixture waited for that), and the load waiting with --wait ran once the last was killed.
    assert kill_story.rerun.returncode == 0, kill_story.rerun.stderr()[-3000:]


def test_a_killed_loads_dbt_does_not_outlive_it_into_the_next_load(
    kill_story: KillStory,
) -> None:
    """SIGKILL spares the load's dbt child, which keeps writing the old build. The next load
    must stop it before re-creating the build folder (warehouse.stop_leftover_processes)."""
    dbt_kill = kill_story.kills[2]
    commands = dbt_kill.load.orphan_commands
    assert any("dbt" in command for command in commands.values()), commands
    assert dbt_kill.orphans_alive_after_kill, "dbt died with the load: nothing to check"
    assert kill_story.orphans_alive_when_next_build_ready == []
    # Nothing any killed load started is still running at the end.
    assert kill_story.orphans_alive_at_end == []


def test_the_rerun_yields_what_an_uninterrupted_load_yields(
    kill_story: KillStory, reference_load: ReferenceLoad
) -> None:
    diff = content_diff(reference_load.content, kill_story.content_after_rerun)
    assert not diff, diff
    assert kill_story.content_after_rerun != kill_story.content_before


def test_nothing_of_the_killed_loads_is_left_behind(kill_story: KillStory) -> None:
    warehouse = kill_story.warehouse
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    build = warehouse.parent / ".build"
    assert not (build / warehouse.name).exists()  # published, i.e. moved into place
    assert not list(build.glob("*.partial"))
    assert not list((warehouse.parent / "archive").rglob("*.partial"))


def test_an_alert_sent_by_a_killed_load_is_sent_again_not_lost(kill_story: KillStory) -> None:
    """The last load was killed after sending its alert but before publishing, so the record
    that it was sent was lost with its build copy: the rerun sends it again (at least once)."""
    alerts = [line for line in (kill_story.warehouse.parent / "alerts.log").read_text(
        encoding="utf-8").splitlines() if line.startswith("===== ")]
    subjects = [line.split(" ", 2)[2] for line in alerts]
    assert len(subjects) >= 2 and subjects[-1] == subjects[-2], alerts

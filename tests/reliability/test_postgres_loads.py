"""`tuphap load` on a PostgreSQL warehouse as real processes: killed at several points, run twice
at once, read by an analyst during a load, cut off by the server stopping (issue 12).

The tests read one story of about five loads (postgres_loads.py: `postgres_story`), so they
live in one module under one xdist group, as the DuckDB ones (test_loads.py) do. Content is
compared table by table over the raw and main schemas, without timing columns
(postgres_story.Probe.content).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.reliability.conftest import alive, content_diff
from tests.reliability.postgres_loads import PostgresStory, postgres_story  # noqa: F401
from tests.reliability.postgres_story import files_holding, published_metadata

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_postgres_loads")]

KILLS = ["dbt running", "inside the publish, after the renames", "parsing new files"]
SERVER_STOPPED = "server stopped while dbt builds"


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def test_each_load_was_stopped_where_intended(postgres_story: PostgresStory) -> None:  # noqa: F811
    story = postgres_story
    assert sorted(story.faults) == sorted([*KILLS, SERVER_STOPPED])
    for point in KILLS:
        assert story.faults[point].load.returncode == -9, point
    # The publish was waiting on the test's row lock in its last statement, the renames done.
    publish = story.faults["inside the publish, after the renames"].notes
    assert any(query.startswith("update tuphap_meta.builds set published_at")
               for query in publish["waiting"]), publish["waiting"]
    print("timings (s):", {name: round(value) for name, value in story.timings.items()},
          "loads:", {load.name: round(load.elapsed or 0, 1) for load in story.loads
                     if load is not story.reference})  # reaped late: its time is not its own


def test_after_each_fault_the_published_warehouse_is_the_old_one(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    for point in ("dbt running", "inside the publish, after the renames", SERVER_STOPPED):
        diff = content_diff(story.content_before, story.faults[point].content_after)
        assert not diff, (point, diff)
    # The last kill came after the rerun published: that one stays.
    diff = content_diff(story.content_after_rerun, story.faults["parsing new files"].content_after)
    assert not diff, diff


def test_a_publish_killed_after_its_renames_changed_nothing_anyone_saw(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    """While the publish waited with its schemas renamed (uncommitted), the catalog and a new
    analyst session saw the old warehouse, at once; the killed publish was rolled back."""
    story = postgres_story
    notes = story.faults["inside the publish, after the renames"].notes
    schemas = set(notes["schemas_during"])
    assert {"raw", "main", "raw__build", "main__build"} <= schemas, schemas
    assert not any("__retired_" in name for name in schemas), schemas
    assert notes["totals_during"] == story.totals_before
    assert notes["build_id"] not in notes["published_builds"]


def test_no_build_schema_debris_survives_the_next_load(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    for point in ("dbt running", "inside the publish, after the renames", SERVER_STOPPED):
        assert "raw__build" in story.faults[point].build_schemas_after, point  # debris left
    assert story.build_schemas_after_rerun == []


def test_the_load_lock_is_free_after_each_fault(postgres_story: PostgresStory) -> None:  # noqa: F811
    assert {point: fault.lock_free_after for point, fault in postgres_story.faults.items()} \
        == dict.fromkeys(postgres_story.faults, True)


def test_a_killed_loads_dbt_does_not_outlive_it_into_the_next_build(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    killed = story.faults["dbt running"].load
    assert any("dbt" in command for command in killed.orphan_commands.values()), \
        killed.orphan_commands
    notes = story.faults["inside the publish, after the renames"].notes
    assert notes["dbt_orphans_alive_when_next_build_ready"] == []
    # The helpers of the last killed load notice it is gone within a moment (workers.py):
    # waited for, up to a ceiling.
    deadline = time.monotonic() + 300
    while (left := [pid for load in story.loads for pid, began in load.orphans.items()
                    if alive(pid, began)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == []


def test_the_rerun_yields_what_a_clean_load_yields(postgres_story: PostgresStory) -> None:  # noqa: F811
    story = postgres_story
    assert story.rerun.returncode == 0, story.rerun.stderr()[-3000:]
    assert story.reference.returncode == 0, story.reference.stderr()[-3000:]
    diff = content_diff(story.reference_content, story.content_after_rerun)
    assert not diff, diff
    assert story.content_after_rerun != story.content_before
    assert story.content_after_rerun["main.dq_issues"]  # the planted issues of 2023


def test_two_loads_started_at_once_one_publishes_the_other_refuses(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    winner, loser = sorted(story.first, key=lambda load: load.returncode or 0)
    assert winner.returncode == 0, winner.stderr()[-3000:]
    assert loser.returncode == 1, loser.stderr()[-3000:]
    last_line = _last_line(loser.stderr())
    label = f"127.0.0.1:{story.server.port}/{story.warehouse.database}"
    assert f"another load is running on {label}" in last_line, last_line
    assert "--wait" in last_line
    assert "Traceback" not in loser.stdout() + loser.stderr()
    # Refused while the winner still ran: it did not wait for it.
    assert loser.end_order is not None and winner.end_order is not None
    assert loser.end_order < winner.end_order


def test_after_two_loads_at_once_the_warehouse_holds_one_complete_load(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    assert len(story.builds_published_first) == 1
    received = story.content_before["raw.received_files"]
    assert len(received) == len(list(story.inbox_part.iterdir()))
    assert len(story.content_before["raw.file_receipts"]) == len(received)
    assert story.content_before["main.fct_enforcement"]
    assert story.content_before["main.rpt_cluster_year"]


def test_an_analyst_in_an_open_transaction_sees_the_old_totals_then_the_new_never_an_error(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    analyst = story.analyst
    assert analyst.isolation == "read committed"  # the default, as analysts' tools have it
    assert analyst.errors == []
    seen = [observed for _, _, observed in analyst.observations]
    assert len(seen) > 20, len(seen)
    assert len({began for _, began, _ in analyst.observations}) == 1  # one transaction
    before, after = story.totals_before, story.totals_after
    assert before != after
    assert set(seen) <= {before, after}, set(seen)
    switch = seen.index(after)
    assert switch > 0 and seen[:switch] == [before] * switch
    assert seen[switch:] == [after] * (len(seen) - switch)  # once, and for good


def test_the_load_is_not_held_up_by_the_analyst(postgres_story: PostgresStory) -> None:  # noqa: F811
    """The rerun published and finished while the analyst's transaction stayed open (it ended
    only afterwards): `main`'s rows were replaced in its stable tables (nothing of it retired,
    nothing left for the analyst to hold), and the lower layers' old schemas, which the reader
    cannot read, were dropped at once."""
    story = postgres_story
    assert story.rerun.returncode == 0, story.rerun.stderr()[-3000:]
    # The load's own run ("…, run ID)"), not its yearly reports' run named before it.
    run_id = re.search(r", run ([0-9a-f-]{36})\)", story.rerun.stdout())
    assert run_id, story.rerun.stdout()
    published = published_metadata(story.base / "dagster_home", run_id.group(1))
    assert published["dropped_old_schemas"]["kept"] == [], published
    assert len(published["dropped_old_schemas"]["dropped"]) == 5, published
    assert not any(name.startswith("main__") for name in
                   published["dropped_old_schemas"]["dropped"])
    assert story.retired_while_analyst_held == []
    print(f"rerun {story.rerun.elapsed:.1f} s beside the analyst; the first load "
          f"{max(load.elapsed or 0 for load in story.first):.1f} s")


def test_nothing_retired_is_left_while_the_analyst_holds_a_transaction(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    notes = postgres_story.faults["parsing new files"].notes
    assert postgres_story.retired_while_analyst_held == []
    assert notes["retired_at_kill"] == []


def test_a_server_stopped_mid_load_fails_the_load_and_the_next_load_succeeds(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    story = postgres_story
    fault = story.faults[SERVER_STOPPED]
    output = fault.load.stdout() + fault.load.stderr()
    assert fault.load.returncode == 1, output[-3000:]
    assert "tuphap load failed" in _last_line(fault.load.stderr()), output[-3000:]
    assert "Traceback" not in output
    assert story.warehouse.loader_password not in output
    # It ended by itself while the server was down (postgres_loads.py restarts it only then).
    print(f"the load failed {fault.notes['failed_after']:.1f} s after the server stopped")
    assert not content_diff(story.content_before, fault.content_after)
    assert story.rerun.returncode == 0, story.rerun.stderr()[-3000:]


def test_a_server_stopped_mid_load_is_reported_naming_the_server(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    """issue 12: "fails the load with a clear message"; the data team must see which server."""
    fault = postgres_story.faults[SERVER_STOPPED]
    last_line = _last_line(fault.load.stderr())
    assert f"127.0.0.1:{postgres_story.server.port}" in last_line, last_line


def test_the_loaders_password_is_never_printed_logged_or_stored(
    postgres_story: PostgresStory,  # noqa: F811
) -> None:
    """In every load's output, the local folders (load logs, dbt's artifacts, reports,
    archive), the alert log and the Dagster instance's storage (the base folder holds them all):
    the story's password (PGPASSWORD) and the reference's (in its warehouse URL)."""
    story = postgres_story
    for warehouse in (story.warehouse, story.reference_warehouse):
        assert files_holding(warehouse.loader_password, [story.base]) == []
    assert list((story.base / "dagster_home").rglob("*.db"))  # the instance's storage was read
    assert list((story.base / "local").rglob("loads.log"))

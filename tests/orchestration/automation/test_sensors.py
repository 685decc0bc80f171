"""The inbox sensor on a real inbox: new or changed files -> one run over their years; a run
that ended without publishing them -> another run at the next tick, a few times at most."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ingest.sample import write_sample
from orchestration.automation.sensors import (
    INBOX_TAG,
    MAX_ATTEMPTS,
    REQUEST_GRACE_SECONDS,
    EarlierRun,
    decide,
    inbox_sensor,
    interval_seconds,
    plan_run,
)
from orchestration.ingest.inbox import InboxResource


def test_plan_run_covers_the_years_of_the_new_files() -> None:
    assert plan_run({2019, 2024}, []) is None
    request = plan_run({2024, 2019}, ["b", "a"])
    assert request.tags["dagster/asset_partition_range_start"] == "2019"
    assert request.tags["dagster/asset_partition_range_end"] == "2024"
    assert request.run_key == plan_run({2019}, ["a", "b"]).run_key  # same files, same key


def test_the_sensor_requests_a_run_for_new_files_then_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "w" / "tuphap.duckdb"))
    inbox = tmp_path / "inbox"
    write_sample(inbox, years=[2022], include_flawed=False)
    resource = InboxResource(path=str(inbox))

    first = inbox_sensor(dg.build_sensor_context(resources={"inbox": resource}))
    assert len(first.run_requests) == 1
    tags = first.run_requests[0].tags
    assert tags["dagster/asset_partition_range_start"] == "2022"
    assert tags["dagster/asset_partition_range_end"] == "2022"

    again = inbox_sensor(dg.build_sensor_context(cursor=first.cursor,
                                                 resources={"inbox": resource}))
    assert not again.run_requests and again.skip_reason


def test_decide_waits_for_a_run_in_progress_and_retries_one_that_ended() -> None:
    shas, years = ["a", "b"], {2022}
    first = decide(shas, years, [], None, now=0.0)
    assert first.request is not None and first.request.tags[INBOX_TAG]
    assert decide([], years, [], None, now=0.0).reason == "no new or changed report files"
    # Asked for, not in the instance yet: not asked for twice, unless it never shows.
    requested = {"run_key": first.request.run_key, "at": 100.0}
    assert decide(shas, years, [], requested, now=160.0).request is None
    late = decide(shas, years, [], requested, now=100.0 + REQUEST_GRACE_SECONDS + 1)
    assert late.request is not None and late.request.run_key == first.request.run_key
    running = decide(shas, years, [EarlierRun("r1", "STARTED", False)], requested, now=160.0)
    assert running.request is None and "r1" in running.reason
    failed = decide(shas, years, [EarlierRun("r1", "FAILURE", True)], requested, now=160.0)
    assert failed.request is not None
    assert failed.request.run_key == first.request.run_key + "-attempt-2"
    ended = [EarlierRun(f"r{i}", "FAILURE", True) for i in range(MAX_ATTEMPTS)]
    given_up = decide(shas, years, ended, None, now=160.0)
    assert given_up.request is None and "tuphap load" in given_up.reason


def test_decide_leaves_new_files_to_another_load_of_the_warehouse_running() -> None:
    """The mailbox's load (or a schedule's) reads the inbox when it starts, the files its pull
    writes there included: no second load is asked for meanwhile; after it, the files it did
    not take are."""
    shas, years = ["a" * 64], {2024}
    busy = decide(shas, years, [], None, now=0.0,
                  other_loads=[EarlierRun("mail-1", "STARTED", False)])
    assert busy.request is None
    assert busy.reason == ("run mail-1 of this warehouse is loading (started); files it does "
                           "not take are asked for when it ends")
    after = decide(shas, years, [], None, now=0.0,
                   other_loads=[EarlierRun("mail-1", "SUCCESS", True)])
    assert after.request is not None


def test_the_interval_comes_from_the_environment() -> None:
    assert interval_seconds({}) == 10
    assert interval_seconds({"TUPHAP_SENSOR_INTERVAL_SECONDS": "60"}) == 60
    for bad in ("0", "-5", "soon"):
        with pytest.raises(ValueError, match="TUPHAP_SENSOR_INTERVAL_SECONDS"):
            interval_seconds({"TUPHAP_SENSOR_INTERVAL_SECONDS": bad})


@dg.asset
def killed_load() -> None:
    raise RuntimeError("the run worker died")


def test_after_a_failed_run_the_next_tick_asks_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a real instance: the run a tick asked for failed (as a killed run worker's run
    ends), so the file is still not in the warehouse; the next tick asks for a new run."""
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "w" / "tuphap.duckdb"))
    inbox = tmp_path / "inbox"
    write_sample(inbox, years=[2024], include_flawed=False)
    resources = {"inbox": InboxResource(path=str(inbox))}
    with dg.DagsterInstance.ephemeral() as instance:
        first = inbox_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        [request] = first.run_requests
        failed = dg.materialize([killed_load], instance=instance, raise_on_error=False,
                                tags=request.tags)
        assert not failed.success
        again = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor,
                                                     resources=resources))
    [retry] = again.run_requests
    assert retry.run_key == f"{request.run_key}-attempt-2"
    assert retry.tags[INBOX_TAG] == request.tags[INBOX_TAG]

"""The inbox sensor on a real inbox: new or changed files -> one run over their years."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ingest.sample import write_sample
from orchestration.automation.sensors import inbox_sensor, plan_run
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

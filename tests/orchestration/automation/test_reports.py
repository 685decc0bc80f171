"""The yearly reports' run after a load (orchestration/automation/reports.py): what it is asked
for with, the same for the service's sensor and `tuphap load`; and the load job without it.
tests/deploy/test_service.py runs it for real after a sensor's load; tests/e2e after
`tuphap load`."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.automation.jobs import REPORTS_TAG, WAREHOUSE_TAG, load_job, reports_job
from orchestration.automation.reports import AFTER_LOAD_TAG, report_run
from orchestration.report.assets import REPORT_YEARS_TAG, years_to_write


def test_the_run_covers_the_years_the_load_brought_and_names_the_load() -> None:
    run = report_run(load_run_id="abc", years=[2020, 2016], warehouse_tag="/w/tuphap.duckdb",
                     warehouse_config={"path": "/w/tuphap.duckdb", "scope": "national",
                                       "lock_timeout_seconds": 5}, trigger="after-load")
    assert run is not None
    assert run.tags == {
        "dagster/asset_partition_range_start": "2016",
        "dagster/asset_partition_range_end": "2020",
        REPORT_YEARS_TAG: "2016,2020", AFTER_LOAD_TAG: "abc", REPORTS_TAG: "/w/tuphap.duckdb",
        "tuphap/trigger": "after-load"}
    # Read-only: the published warehouse, never the load's lock (no WAREHOUSE_TAG either).
    assert run.run_config == {"resources": {"published": {"config": {
        "path": "/w/tuphap.duckdb", "scope": "national"}}}}
    assert WAREHOUSE_TAG not in run.tags


def test_a_load_that_brought_no_year_asks_for_no_reports() -> None:
    assert report_run(load_run_id="abc", years=[], warehouse_tag="w", warehouse_config={},
                      trigger="cli") is None
    # A run of the service's own environment: the resource's defaults (TUPHAP_*).
    run = report_run(load_run_id="abc", years=[2023], warehouse_tag="w", warehouse_config={},
                     trigger="after-load")
    assert run is not None and run.run_config == {}


def test_the_asset_writes_the_tagged_years_among_its_partitions() -> None:
    assert years_to_write({REPORT_YEARS_TAG: "2016,2020"}, list(range(2016, 2021))) == \
        [2016, 2020]
    assert years_to_write({REPORT_YEARS_TAG: "2016,2020"}, [2020]) == [2020]
    # Launched by a person without the tag: the last load's years (write_load_reports).
    assert years_to_write({}, [2020]) is None


def test_the_load_job_ends_at_the_publish_and_the_reports_job_is_the_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.definitions import load

    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "x.duckdb"))
    defs = load()
    loads = defs.resolve_job_def("load_warehouse")
    reports = defs.resolve_job_def("make_yearly_reports")
    assert "yearly_reports" not in {key.to_user_string() for key in loads.asset_layer.
                                    executable_asset_keys}
    assert {key.to_user_string() for key in reports.asset_layer.executable_asset_keys} == \
        {"yearly_reports"}
    assert REPORTS_TAG in reports_job().tags and WAREHOUSE_TAG not in reports_job().tags
    assert WAREHOUSE_TAG in load_job().tags
    assert defs.resolve_sensor_def("reports_after_load") is not None

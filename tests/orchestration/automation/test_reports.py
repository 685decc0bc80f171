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


@pytest.mark.parametrize(("value", "after_load"), [
    (None, True), ("", True), ("after-load", True), (" Off ", False), ("off", False)])
def test_reports_after_loads_are_on_unless_turned_off(
        monkeypatch: pytest.MonkeyPatch, value: str | None, after_load: bool) -> None:
    from orchestration.settings import YEARLY_REPORTS_ENV, yearly_reports_after_load

    if value is None:
        monkeypatch.delenv(YEARLY_REPORTS_ENV, raising=False)
    else:
        monkeypatch.setenv(YEARLY_REPORTS_ENV, value)
    assert yearly_reports_after_load() is after_load


def test_a_wrong_reports_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.settings import YEARLY_REPORTS_ENV, yearly_reports_after_load

    monkeypatch.setenv(YEARLY_REPORTS_ENV, "sometimes")
    with pytest.raises(ValueError, match="TUPHAP_YEARLY_REPORTS must be one of after-load, off"):
        yearly_reports_after_load()


def test_the_service_asks_for_no_reports_when_they_are_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sensor's side of TUPHAP_YEARLY_REPORTS=off (`tuphap load`'s is in
    tests/e2e/test_selective_loads.py), evaluated on a real succeeded run."""
    import dagster as dg

    from orchestration.automation.reports import reports_after_load_sensor
    from orchestration.settings import YEARLY_REPORTS_ENV

    @dg.op
    def succeeds() -> int:
        return 1

    @dg.job(name="load_warehouse")
    def loads() -> None:
        succeeds()

    sensor = reports_after_load_sensor(loads, reports_job())
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = loads.execute_in_process(instance=instance)
        context = dg.build_run_status_sensor_context(
            sensor_name="reports_after_load", dagster_instance=instance,
            dagster_run=result.dagster_run, dagster_event=result.get_run_success_event())
        monkeypatch.setenv(YEARLY_REPORTS_ENV, "off")
        skipped = sensor(context)
        assert isinstance(skipped, dg.SkipReason)
        assert skipped.skip_message == "TUPHAP_YEARLY_REPORTS=off: no reports after loads"
        monkeypatch.delenv(YEARLY_REPORTS_ENV)
        # On (the default), a run that published no year asks for none either: a different reason.
        on = sensor(context)
        assert isinstance(on, dg.SkipReason) and "brought no year's figures" in on.skip_message

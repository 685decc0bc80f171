"""What `make bench` reads of a real load's milestones (benchmarks/milestones.py): when the
demo load published and when the yearly reports it left were there."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from benchmarks.milestones import milestones, run_ids
from tests.e2e.conftest import Loaded

pytestmark = pytest.mark.xdist_group("e2e")  # the shared demo load


def test_the_publish_and_the_reports_are_placed_from_the_loads_instance(
        demo_load: Loaded) -> None:
    stdout = demo_load.first.stdout
    load_run, reports_run = run_ids(stdout)
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(demo_load.dagster_home))) as inst:
        runs = {run.run_id: run for run in inst.get_runs()}
        load_stats = inst.get_run_stats(load_run)
        reports_stats = inst.get_run_stats(reports_run)
    assert runs[load_run].job_name == "load_warehouse"
    assert runs[reports_run].job_name == "make_yearly_reports"
    assert runs[reports_run].status == dg.DagsterRunStatus.SUCCESS
    started, ended = load_stats.start_time, load_stats.end_time
    assert started is not None and ended is not None and reports_stats.end_time is not None

    found = milestones(demo_load.dagster_home, stdout, started)
    # The publish ends inside the load run, the reports after it: the run's own times bound
    # what was read, whatever the step's exact end.
    assert 0 < found["published_seconds"] <= ended - started + 0.001
    assert found["reports_ready_seconds_after_publish"] == pytest.approx(
        reports_stats.end_time - started - found["published_seconds"], abs=0.002)
    assert reports_stats.end_time > ended

    # Reports whose run the instance does not know (or that failed) are not ready; a load whose
    # summary names no run (it failed before) has no milestones.
    unknown = stdout.replace(reports_run, "00000000-0000-0000-0000-000000000000")
    assert set(milestones(demo_load.dagster_home, unknown, started)) == {"published_seconds"}
    assert milestones(demo_load.dagster_home, "no run here", started) == {}


def test_the_runs_are_found_in_the_summary_whatever_the_instance_path() -> None:
    run, reports = "8d6a1c6d-4440-4333-9a0b-0d4d597bcc5a", "0f6c4b7e-1111-4222-8333-944455556666"
    summary = (f"  runs and lineage in the UI: make dev  (DAGSTER_HOME=/srv/a, b/home, run {run})\n"
               f"    all are there when Dagster run {reports} has ended (log: /x/reports.log)\n")
    assert run_ids(summary) == (run, reports)
    assert run_ids("nothing") == (None, None)

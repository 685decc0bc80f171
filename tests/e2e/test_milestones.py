"""What `make bench` reads of a real load's milestones (benchmarks/milestones.py): when the
demo load published and when the yearly reports it left were there."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from benchmarks.milestones import PUBLISH_STEP, milestones, run_ids
from tests.e2e.conftest import Loaded

pytestmark = pytest.mark.xdist_group("e2e")  # the shared demo load


def test_the_publish_and_the_reports_are_placed_from_the_loads_instance(
        demo_load: Loaded) -> None:
    load_run, reports_run = run_ids(demo_load.first.stdout)
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(demo_load.dagster_home))) as inst:
        runs = {run.run_id: run.job_name for run in inst.get_runs()}
        started = inst.get_run_stats(load_run).start_time
        publish = inst.get_run_step_stats(load_run, step_keys=[PUBLISH_STEP])[0]
        reports_ended = inst.get_run_stats(reports_run).end_time
    assert runs[load_run] == "load_warehouse" and runs[reports_run] == "make_yearly_reports"
    assert started is not None and publish.end_time is not None and reports_ended is not None

    found = milestones(demo_load.dagster_home, demo_load.first.stdout, started)
    assert found == {
        "published_seconds": round(publish.end_time - started, 3),
        "reports_ready_seconds_after_publish": round(reports_ended - publish.end_time, 3)}
    assert 0 < found["published_seconds"] and 0 < found["reports_ready_seconds_after_publish"]
    # A load whose summary names no run (it failed before) has no milestones.
    assert milestones(demo_load.dagster_home, "no run here", started) == {}

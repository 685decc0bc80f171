"""When a measured load reached its publish, and when the yearly reports it left were there.

`tuphap load` returns after its publish and a few short steps (messages to units); its yearly
reports follow in a run of their own. Both times come from the load's Dagster instance: the
end of the load run's `published_warehouse` step and the end of the reports run, whose ids the
load's summary prints. Dagster's timestamps and the benchmark's start time are both wall-clock
(epoch) seconds of this machine.
"""

from __future__ import annotations

import re
from pathlib import Path

PUBLISH_STEP = "published_warehouse"
# The load summary's run lines (orchestration/cli/summary.py).
_LOAD_RUN = re.compile(r"\(DAGSTER_HOME=.*, run ([0-9a-f-]{36})\)$", re.M)
_REPORTS_RUN = re.compile(r"Dagster run ([0-9a-f-]{36}) has ended")


def run_ids(stdout: str) -> tuple[str | None, str | None]:
    """The load's run id and its yearly reports' run id, as the load's summary names them."""
    load, reports = _LOAD_RUN.search(stdout), _REPORTS_RUN.search(stdout)
    return (load.group(1) if load else None), (reports.group(1) if reports else None)


def milestones(dagster_home: Path, stdout: str, started_at: float) -> dict[str, float]:
    """`published_seconds` (from `started_at` to the end of the publish) and
    `reports_ready_seconds_after_publish`; a milestone the instance does not show is left out,
    and so are reports whose run did not succeed (not ready: their check then has no value).
    Call it once the background reports have ended."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    load_run, reports_run = run_ids(stdout)
    if load_run is None:
        return {}
    out: dict[str, float] = {}
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        published = next((step.end_time for step in instance.get_run_step_stats(
            load_run, step_keys=[PUBLISH_STEP]) if step.end_time), None)
        if published is None:
            return out
        out["published_seconds"] = round(published - started_at, 3)
        run = instance.get_run_by_id(reports_run) if reports_run else None
        if run is not None and run.status == dg.DagsterRunStatus.SUCCESS:
            ended = instance.get_run_stats(run.run_id).end_time
            if ended is not None:
                out["reports_ready_seconds_after_publish"] = round(ended - published, 3)
    return out

"""Watch the inbox and load the reporting years whose files are not in the warehouse yet.

A file is "new" until the published warehouse records its content (raw.received_files): a
file whose run failed (a killed run worker, a crashed machine) is still new at the next tick,
and is loaded again, up to MAX_ATTEMPTS runs for the same files. The runs a tick asked for are
found again in the Dagster instance by their tag `tuphap/inbox` (the digest of the files they
were to load): while one of them is queued or running, no second one is asked for.

Each tick first fails the warehouse's runs still marked STARTED whose process is gone (a
`tuphap load` killed with -9): runtime/dead_runs.py.

The cursor only saves work: each file's size, time, sha256 and reporting years, so a file is
hashed and parsed once, not at every tick. The sensor is on by default wherever a daemon runs
(`make serve`, `make dev`); its interval is TUPHAP_SENSOR_INTERVAL_SECONDS (default 10 s: a
report that lands is published well within a minute; a tick with nothing new costs a
directory listing and a look at the warehouse).
"""

import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg

from ingest.parse import parse_file
from ingest.reference import load_registry
from orchestration import settings
from orchestration.automation.jobs import LOAD_JOB_NAME, WAREHOUSE_TAG, warehouse_tag_value
from orchestration.ingest.inbox import InboxResource, sha256_of
from orchestration.partitions import range_tags, years_partitions
from orchestration.runtime.dead_runs import fail_dead_runs
from orchestration.warehouse.engine import WarehouseEngine, WarehouseMissingError, engine_for
from orchestration.warehouse.sql import table_exists

INBOX_TAG = "tuphap/inbox"
INTERVAL_ENV = "TUPHAP_SENSOR_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 10
MAX_ATTEMPTS = 3  # runs for the same files that may end without publishing them
# A run asked for but not seen in the instance after this long is asked for again.
REQUEST_GRACE_SECONDS = 600


def interval_seconds(environ: dict[str, str] | None = None) -> int:
    """The sensor's minimum interval: TUPHAP_SENSOR_INTERVAL_SECONDS, default 10 s. (The daemon
    looks at its sensors every 5 s at most, so a shorter interval acts as 5 s.)"""
    text = (os.environ if environ is None else environ).get(INTERVAL_ENV, "").strip()
    if not text:
        return DEFAULT_INTERVAL_SECONDS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{INTERVAL_ENV} must be a whole number of seconds >= 1, not {text!r}")
    return int(text)


def published_shas(engine: WarehouseEngine) -> set[str]:
    """Contents the published warehouse already holds (a short read-only look)."""
    try:
        with engine.read_only() as con:
            if not table_exists(con, "raw", "received_files"):
                return set()
            rows = con.execute("select sha256 from raw.received_files").fetchall()
            return {row[0] for row in rows}
    except WarehouseMissingError:
        return set()


def sha256_digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def plan_run(years: set[int], shas: Sequence[str], attempt: int = 0) -> dg.RunRequest | None:
    """One run over the contiguous range of years touched by the new files. Its run key names
    the files and the attempt: the same files ask for the same run (Dagster starts it once);
    after a failed run the next attempt is a new run."""
    if not shas:
        return None
    keys = years_partitions.get_partition_keys()
    wanted = sorted(str(y) for y in years if str(y) in keys) or [keys[-1]]
    digest = sha256_digest(shas)
    return dg.RunRequest(
        run_key=f"inbox-{digest}" + (f"-attempt-{attempt + 1}" if attempt else ""),
        tags={**range_tags(wanted[0], wanted[-1]), "tuphap/trigger": "sensor",
              INBOX_TAG: digest},
    )


@dataclass(frozen=True)
class EarlierRun:
    """A run an earlier tick asked for, as the instance has it now."""

    run_id: str
    status: str  # Dagster's run status: QUEUED, STARTED, SUCCESS, FAILURE, …
    finished: bool


@dataclass(frozen=True)
class Decision:
    request: dg.RunRequest | None
    reason: str  # why no run was asked for (the tick's skip reason); "" when one was


def decide(shas: Sequence[str], years: set[int], earlier: Sequence[EarlierRun],
           requested: dict | None, now: float,
           other_loads: Sequence[EarlierRun] = ()) -> Decision:
    """What a tick does about the files not in the warehouse (`shas`), given the runs earlier
    ticks asked for them (`earlier`, from the instance), the last request (`requested`, from
    the cursor, for the moment before its run is visible), and the other loads of the
    warehouse not finished yet (`other_loads`: the mailbox's, a schedule's, a person's)."""
    if not shas:
        return Decision(None, "no new or changed report files")
    active = [run for run in earlier if not run.finished]
    if active:
        return Decision(None, f"run {active[0].run_id} is loading these files "
                              f"({active[0].status.lower()})")
    # Another load reads the inbox when it starts: files the mailbox's pull writes into it
    # are its own; what it does not take, a tick after it ends asks for.
    busy = [run for run in other_loads if not run.finished]
    if busy:
        return Decision(None, f"run {busy[0].run_id} of this warehouse is loading "
                              f"({busy[0].status.lower()}); files it does not take are asked "
                              "for when it ends")
    ended = [run for run in earlier if run.finished]
    if len(ended) >= MAX_ATTEMPTS:
        return Decision(None, f"{len(ended)} runs ended without publishing these files (last: "
                              f"{ended[0].run_id}, {ended[0].status.lower()}); see its log, or "
                              "load by hand with `tuphap load`")
    request = plan_run(years, shas, attempt=len(ended))
    assert request is not None
    if requested and requested.get("run_key") == request.run_key and \
            now - float(requested.get("at", 0)) < REQUEST_GRACE_SECONDS:
        return Decision(None, f"run {request.run_key} was asked for; waiting for it to start")
    return Decision(request, "")


def earlier_runs(context: dg.SensorEvaluationContext, digest: str) -> list[EarlierRun]:
    """The runs asked for these files, newest first (none when the context has no instance,
    as in a unit test)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return []
    runs = instance.get_runs(filters=dg.RunsFilter(tags={INBOX_TAG: digest}))
    return [EarlierRun(run.run_id, run.status.value, run.is_finished) for run in runs]


def other_loads(context: dg.SensorEvaluationContext, digest: str) -> list[EarlierRun]:
    """The warehouse's load runs not finished, but those asked for these files (none without
    an instance)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return []
    warehouse = warehouse_tag_value(settings.warehouse_address())
    runs = instance.get_runs(filters=dg.RunsFilter(
        job_name=LOAD_JOB_NAME, tags={WAREHOUSE_TAG: warehouse},
        statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
                  dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]))
    return [EarlierRun(run.run_id, run.status.value, run.is_finished) for run in runs
            if run.tags.get(INBOX_TAG) != digest]


def fail_dead_loads(context: dg.SensorEvaluationContext) -> None:
    """Fail the runs of the warehouse still marked STARTED whose process is gone (a killed
    `tuphap load`): they would hold the warehouse's place in the run queue
    (runtime/dead_runs.py). Nothing without an instance (a unit test)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return
    warehouse = warehouse_tag_value(settings.warehouse_address())
    for dead in fail_dead_runs(instance, warehouse, seen_by="the inbox sensor's tick"):
        context.log.warning(f"marked run {dead.run_id} failed: its process is gone")


def scan(inbox: InboxResource, seen: dict[str, list]) -> dict[str, list]:
    """name -> [size, mtime, sha256, years or None]; a file unchanged since the last tick
    keeps what that tick knew (its years are read only when they are needed)."""
    files: dict[str, list] = {}
    for item in inbox.files():
        stamp = [item.size_bytes, item.modified_at.timestamp()]
        previous = seen.get(item.name)
        if previous and previous[:2] == stamp and len(previous) >= 3:
            files[item.name] = [*previous[:3], previous[3] if len(previous) > 3 else None]
        else:
            files[item.name] = [*stamp, sha256_of(item.path), None]
    return files


def years_of(inbox: InboxResource, files: dict[str, list], names: Iterable[str]) -> set[int]:
    """The reporting years of these files, parsing those not parsed at an earlier tick."""
    registry, scope, years = None, settings.scope(), set()
    for name in names:
        entry = files[name]
        if entry[3] is None:
            registry = registry or load_registry()
            parsed = parse_file(inbox.resolved_path / name, source_name=name,
                                registry=registry, scope=scope)
            entry[3] = sorted(parsed.years)
        years.update(entry[3])
    return years


@dg.sensor(
    job_name=LOAD_JOB_NAME,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a load for the reporting years of inbox files not in the warehouse.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource) -> dg.SensorResult:
    fail_dead_loads(context)
    cursor = json.loads(context.cursor) if context.cursor else {}
    files = scan(inbox, cursor.get("files", {}))
    published = published_shas(engine_for(settings.warehouse_address()))
    new = {entry[2]: name for name, entry in sorted(files.items()) if entry[2] not in published}
    shas = sorted(new)
    years = years_of(inbox, files, new.values()) if shas else set()
    digest = sha256_digest(shas)
    earlier = earlier_runs(context, digest) if shas else []
    others = other_loads(context, digest) if shas else []
    decision = decide(shas, years, earlier, cursor.get("requested"), time.time(), others)
    requested = cursor.get("requested") if shas else None
    if decision.request is not None:
        requested = {"run_key": decision.request.run_key, "at": time.time()}
        context.log.info(f"{len(shas)} new files for years {sorted(years)}")
    new_cursor = json.dumps({"files": files, "requested": requested})
    if decision.request is None:
        return dg.SensorResult(skip_reason=decision.reason, cursor=new_cursor)
    return dg.SensorResult(run_requests=[decision.request], cursor=new_cursor)

"""Watch the inbox and load the reporting years whose files are new or changed."""


import hashlib
import json

import dagster as dg

from ingest.parse import parse_file
from ingest.reference import load_registry
from orchestration import settings
from orchestration.automation.jobs import load_job
from orchestration.automation.partitions import range_tags, years_partitions
from orchestration.ingest.inbox import InboxResource, sha256_of
from orchestration.warehouse.engine import WarehouseEngine, WarehouseMissingError, engine_for


def published_shas(engine: WarehouseEngine) -> set[str]:
    """Contents the published warehouse already holds (a short read-only look)."""
    try:
        with engine.read_only() as con:
            has_table = con.execute(
                "select count(*) from information_schema.tables"
                " where table_schema = 'raw' and table_name = 'received_files'"
            ).fetchone()[0]
            if not has_table:
                return set()
            rows = con.execute("select sha256 from raw.received_files").fetchall()
            return {row[0] for row in rows}
    except WarehouseMissingError:
        return set()


def plan_run(years: set[int], shas: list[str]) -> dg.RunRequest | None:
    """One run over the contiguous range of years touched by the new files."""
    if not shas:
        return None
    keys = years_partitions.get_partition_keys()
    wanted = sorted(str(y) for y in years if str(y) in keys) or [keys[-1]]
    return dg.RunRequest(
        run_key="inbox-" + sha256_digest(sorted(shas)),
        tags={**range_tags(wanted[0], wanted[-1]), "tuphap/trigger": "sensor"},
    )


def sha256_digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dg.sensor(
    job=load_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a load for the reporting years of new or changed inbox files.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    seen: dict[str, list] = cursor.get("files", {})
    known = set(cursor.get("shas", [])) | published_shas(engine_for(settings.warehouse_address()))
    scope = settings.scope()
    registry = load_registry()
    new_shas: list[str] = []
    years: set[int] = set()
    files: dict[str, list] = {}
    for item in inbox.files():
        stamp = [item.size_bytes, item.modified_at.timestamp()]
        previous = seen.get(item.name)
        if previous and previous[:2] == stamp:
            files[item.name] = previous
            continue
        sha = sha256_of(item.path)
        files[item.name] = [*stamp, sha]
        if sha in known or sha in new_shas:
            continue
        new_shas.append(sha)
        years.update(parse_file(item.path, source_name=item.name, registry=registry,
                                scope=scope).years)
    request = plan_run(years, new_shas)
    new_cursor = json.dumps({"files": files, "shas": sorted(known | set(new_shas))})
    if request is None:
        return dg.SensorResult(skip_reason="no new or changed report files", cursor=new_cursor)
    context.log.info(f"{len(new_shas)} new files for years {sorted(years)}")
    return dg.SensorResult(run_requests=[request], cursor=new_cursor)

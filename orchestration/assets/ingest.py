"""The ingest asset: receive, archive, parse and record every report file of the inbox."""


import warnings
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from ingest.limits import Limits
from ingest.reference import load_registry
from orchestration import raw_loader
from orchestration.inbox import Archive, InboxResource, archive_path_for
from orchestration.parsing import ParseJob, ParsePool
from orchestration.partitions import years_partitions
from orchestration.warehouse import WarehouseResource

# Single-run backfills are beta in Dagster 1.13; one run per load is what we want.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")


RAW_TABLES = ("received_files", "file_receipts", "submissions", "submission_values")


@dg.multi_asset(
    name="raw_reports",
    specs=[
        dg.AssetSpec(
            ["raw", table], group_name="ingest", kinds={"python", "duckdb"},
            description=f"raw.{table}: see orchestration/raw_schema.py",
        )
        for table in RAW_TABLES
    ],
    partitions_def=years_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description=(
        "Report files of the inbox, archived by sha256 and parsed into the raw tables. "
        "A year partition loads the submissions of that reporting year; rejected files are "
        "recorded whatever their year."
    ),
)
def raw_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> Iterator[dg.MaterializeResult]:
    years = {int(key) for key in context.partition_keys}
    scope = warehouse.resolved_scope
    registry = load_registry()
    limits = Limits.from_env()  # TUPHAP_MAX_* (docs/reliability.md); a bad value fails the load
    now = datetime.now(UTC)

    with warehouse.connect() as con:
        raw_loader.ensure_raw_schema(con)
        known, loaded_years = raw_loader.read_known(con)
        receipts = raw_loader.read_receipts(con)

    batch = raw_loader.RawBatch()
    loaded: list[dict] = []
    rejected: list[dict] = []
    candidates: dict[str, raw_loader.Candidate] = {}
    inbox_files = inbox.files()
    archive = Archive(warehouse.archive_dir, recorded=known.keys())
    # Names never received before: a guess of how many files need parsing, made before any is
    # hashed, to start the parse workers at once (they then parse while the rest is archived).
    seen_names = {name for _, name in receipts}
    unfamiliar = sum(1 for item in inbox_files if item.name not in seen_names)
    with ParsePool(scope=scope, limits=limits, years=years, expected=unfamiliar,
                   registry=registry) as parser:

        def consider(sha: str, candidate: raw_loader.Candidate) -> None:
            candidates[sha] = candidate
            if raw_loader.needs_parse(known.get(sha), scope, years, loaded_years.get(sha, set())):
                parser.submit(ParseJob(sha, candidate.name, candidate.path))

        # Files in the inbox first, then archived files whose selected years are not loaded.
        for item in inbox_files:
            # Hash and archive in one step, so the hash names exactly the bytes parsed (the
            # file may still be being written into the inbox).
            sha, archived = archive.add(item.path)
            if (sha, item.name) not in receipts:
                receipts.add((sha, item.name))
                batch.receipts.append({"sha256": sha, "source_file": item.name,
                                       "first_seen_at": now})
            if sha not in candidates:
                prior = known.get(sha)
                consider(sha, raw_loader.Candidate(
                    name=prior.source_file if prior else item.name, path=archived,
                    size_bytes=archived.stat().st_size,
                    modified_at=prior.file_modified_at if prior else item.modified_at,
                    received_at=prior.received_at if prior else now,
                ))
        for sha, prior in known.items():
            if sha not in candidates:
                path = archive_path_for(warehouse.archive_dir, sha)
                consider(sha, raw_loader.Candidate(
                    name=prior.source_file, path=path,
                    size_bytes=path.stat().st_size if path.exists() else 0,
                    modified_at=prior.file_modified_at, received_at=prior.received_at,
                ))
        archive.sync()  # every new copy on disk before the warehouse refers to it

        noted_files = 0
        for job, parsed in parser.results():
            sha, name = job.sha256, job.name
            candidate, prior = candidates[sha], known.get(sha)
            noted_files += bool(parsed.notes)
            if prior is None or prior.status == "rejected":
                batch.received.append(raw_loader.received_row(
                    sha256=sha, source_file=name, archive_path=job.path,
                    size_bytes=candidate.size_bytes, received_at=candidate.received_at,
                    file_modified_at=candidate.modified_at, parsed=parsed, scope=scope,
                ))
            if parsed.rejection is not None:
                if prior is None or prior.parsed_scope != scope:
                    rejected.append({"file": name, "sha256": sha,
                                     "code": parsed.rejection.code,
                                     "reason": parsed.rejection.message})
                continue
            batch.add_parsed(parsed, sha256=sha, candidate=candidate, loaded_at=now)
            loaded.extend(
                {"file": name, "unit_code": s.unit_code, "year": s.year, "form": s.form}
                for s in parsed.submissions
            )
    if noted_files:
        # One line, not one event per note: the notes stay with each file in the warehouse.
        context.log.debug(f"parser notes on {noted_files} file(s): see raw.received_files"
                          ".parse_notes")

    with warehouse.connect() as con:
        raw_loader.write_batch(con, batch)
        totals = con.execute(
            "select count(*) filter (where status = 'accepted'),"
            " count(*) filter (where status = 'rejected') from raw.received_files"
        ).fetchone()

    context.log.info(
        f"inbox: {len(inbox_files)} files; loaded {len(batch.submissions)} submissions from "
        f"{len({row['file'] for row in loaded})} files; rejected {len(rejected)} files"
    )
    counts = {table: len(getattr(batch, attribute)) for table, attribute in (
        ("received_files", "received"), ("file_receipts", "receipts"),
        ("submissions", "submissions"), ("submission_values", "values"))}
    for table in RAW_TABLES[1:]:
        yield dg.MaterializeResult(asset_key=["raw", table], metadata={"new_rows": counts[table]})
    # The load summary rides on raw/received_files, which every load touches.
    yield dg.MaterializeResult(
        asset_key=["raw", "received_files"],
        metadata={
            "new_rows": counts["received_files"],
            "inbox_files": len(inbox_files),
            "new_submissions": len(batch.submissions),
            "new_rejections": len(rejected),
            "accepted_files_total": int(totals[0]),
            "rejected_files_total": int(totals[1]),
            "scope": scope,
            "loaded": dg.MetadataValue.json(loaded),
            "rejected": dg.MetadataValue.json(rejected),
            "loaded_summary": dg.MetadataValue.md(_loaded_markdown(loaded)),
        }
    )


def _loaded_markdown(loaded: list[dict]) -> str:
    if not loaded:
        return "Nothing new."
    lines = ["| file | unit | year | form |", "|---|---|---|---|"]
    lines += [f"| {r['file']} | {r['unit_code']} | {r['year']} | {r['form']} |" for r in loaded]
    return "\n".join(lines)


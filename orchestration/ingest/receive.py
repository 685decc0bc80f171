"""One load's ingest: receive the inbox, archive every file, parse what is new, write raw rows.

Free of Dagster: the `raw_reports` asset hands the run's inbox and warehouse build to
`receive`, and tests call it on a real inbox and a real build.

What is parsed: content never received before, rejections made under another scope, and
accepted content whose selected years are not loaded yet (rows.needs_parse), whether it is in
the inbox or only in the archive. Parsing starts while the rest of the inbox is still being
archived (ParsePool), and the results come back in the order the files were handed in, so a
load is deterministic.

Entries of the inbox that are not received (a symbolic link, a FIFO, a file that cannot be read:
entries.py) are recorded in `raw.skipped_inbox_entries` with why, so nothing received is
silently ignored. What the loop does is reported as progress (orchestration/progress.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.limits import Limits
from ingest.reference import Registry
from orchestration.ingest.entries import SkippedEntry
from orchestration.ingest.entries import skipped as skipped_entry
from orchestration.ingest.inbox import Archive, InboxFile, archive_path_for
from orchestration.ingest.parsing import ParseJob, ParsePool
from orchestration.ingest.raw_schema import ensure_raw_schema
from orchestration.ingest.rows import (
    Candidate,
    KnownFile,
    add_parsed,
    needs_parse,
    new_batch,
    read_known,
    read_receipts,
    read_totals,
    received_row,
    write_skipped,
)
from orchestration.progress import report as report_progress
from orchestration.warehouse.batch import RawBatch
from orchestration.warehouse.engine import Build


@dataclass
class Received:
    """What one ingest did: new rows per raw table, and the files loaded and rejected."""

    inbox_files: int
    scope: str
    new_rows: dict[str, int]  # raw table -> rows written
    loaded: list[dict] = field(default_factory=list)  # file, unit_code, year, form
    # targets decisions: file, year, decision_number, decision_date (ISO), unit_types
    decisions: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # file, sha256, code, reason
    skipped: list[dict] = field(default_factory=list)  # file, kind, reason: not received
    noted_files: int = 0  # files the parser left notes on (raw.received_files.parse_notes)
    accepted_files_total: int = 0
    rejected_files_total: int = 0

    def summary(self) -> str:
        return (f"inbox: {self.inbox_files} files; loaded {self.new_rows['submissions']} "
                f"submissions from {len({row['file'] for row in self.loaded})} files"
                + (f" and {len(self.decisions)} targets decisions" if self.decisions else "")
                + f"; rejected {len(self.rejected)} files"
                + (f"; skipped {len(self.skipped)} inbox entries" if self.skipped else ""))


def receive(files: Sequence[InboxFile], *, build: Build, archive_dir: Path,
            years: set[int], scope: str, limits: Limits, registry: Registry,
            now: datetime, load_id: str, skipped: Sequence[SkippedEntry] = (),
            arrived: Mapping[str, datetime] | None = None) -> Received:
    """Ingest `files` into `build` for the reporting `years`, archiving every file in
    `archive_dir`, and record the inbox entries `skipped` (and any file that cannot be read
    after all) under `load_id`. New content counts as received now, or when it `arrived`
    (sha256 -> the moment its message reached the mailbox: arrivals.py)."""
    with build.connect() as con:
        ensure_raw_schema(con)
        known, loaded_years = read_known(con)
        receipts = read_receipts(con)
    # A server warehouse may have received files on another machine: copy them here.
    build.restore_received({sha: archive_path_for(archive_dir, sha) for sha in known})

    batch = new_batch()
    passed_over = list(skipped)
    archive = Archive(archive_dir, recorded=known.keys())
    # Names never received before: a guess of how many files need parsing, made before any is
    # hashed, to start the parse workers at once (they then parse while the rest is archived).
    seen_names = {name for _, name in receipts}
    unfamiliar = sum(1 for item in files if item.name not in seen_names)
    with ParsePool(scope=scope, limits=limits, years=years, expected=unfamiliar,
                   registry=registry) as parser:
        to_parse = 0  # jobs handed to the parser: the total of the progress line's count

        def consider(sha: str, candidate: Candidate) -> None:
            nonlocal to_parse
            if needs_parse(known.get(sha), scope, years, loaded_years.get(sha, set())):
                parser.submit(ParseJob(sha, candidate.name, candidate.path))
                to_parse += 1

        candidates = _gather(files, known=known, receipts=receipts, archive=archive,
                             batch=batch, now=now, consider=consider, skipped=passed_over,
                             arrived=arrived or {})
        archive.sync()  # every new copy on disk before the warehouse refers to it
        received = Received(inbox_files=len(files), scope=scope, new_rows={})
        for done, (job, parsed) in enumerate(parser.results(), start=1):
            report_progress("parse", done, to_parse)
            candidate, prior = candidates[job.sha256], known.get(job.sha256)
            received.noted_files += bool(parsed.notes)
            if prior is None or prior.status == "rejected":
                batch.received.append(received_row(
                    sha256=job.sha256, source_file=job.name, archive_path=job.path,
                    size_bytes=candidate.size_bytes, received_at=candidate.received_at,
                    file_modified_at=candidate.modified_at, parsed=parsed, scope=scope,
                ))
            if parsed.rejection is not None:
                if prior is None or prior.parsed_scope != scope:
                    received.rejected.append({"file": job.name, "sha256": job.sha256,
                                              "code": parsed.rejection.code,
                                              "reason": parsed.rejection.message})
                continue
            add_parsed(batch, parsed, sha256=job.sha256, candidate=candidate, loaded_at=now)
            received.loaded.extend(
                {"file": job.name, "unit_code": s.unit_code, "year": s.year, "form": s.form}
                for s in parsed.submissions
            )
            received.decisions.extend(
                {"file": job.name, "year": d.year, "decision_number": d.decision_number,
                 "decision_date": d.decision_date.isoformat() if d.decision_date else None,
                 "unit_types": list(d.unit_types)}
                for d in parsed.decisions
            )

    report_progress("write")
    build.write_raw(batch)
    with build.connect() as con:
        write_skipped(con, passed_over, load_id=load_id, seen_at=now)
        received.accepted_files_total, received.rejected_files_total = read_totals(con)
    received.new_rows = {table: len(columns) for table, columns in (
        ("received_files", batch.received), ("file_receipts", batch.receipts),
        ("submissions", batch.submissions), ("submission_values", batch.values),
        ("target_decisions", batch.decisions), ("target_values", batch.targets))}
    received.skipped = [entry.as_row() for entry in passed_over]
    return received


def _gather(files: Sequence[InboxFile], *, known: dict[str, KnownFile],
            receipts: set[tuple[str, str]], archive: Archive, batch: RawBatch, now: datetime,
            consider: Callable[[str, Candidate], None],
            skipped: list[SkippedEntry], arrived: Mapping[str, datetime]
            ) -> dict[str, Candidate]:
    """Every content to consider, by sha256: the inbox's files (archived, and their receipts
    added to `batch`), then archived content the inbox no longer holds. Each is handed to
    `consider` as soon as it is known. An inbox file that cannot be read (gone, or its
    permissions changed since the inbox was scanned) is added to `skipped`."""
    candidates: dict[str, Candidate] = {}

    def add(sha: str, candidate: Candidate) -> None:
        candidates[sha] = candidate
        consider(sha, candidate)

    for done, item in enumerate(files):
        report_progress("archive", done, len(files))
        # Hash and archive in one step, so the hash names exactly the bytes parsed (the file
        # may still be being written into the inbox).
        try:
            sha, archived = archive.add(item.path)
        except FileNotFoundError:
            skipped.append(skipped_entry(item.name, "vanished"))
            continue
        except OSError as error:
            skipped.append(skipped_entry(item.name, "unreadable", error.strerror))
            continue
        if (sha, item.name) not in receipts:
            receipts.add((sha, item.name))
            batch.receipts.append({"sha256": sha, "source_file": item.name, "first_seen_at": now})
        if sha not in candidates:
            prior = known.get(sha)
            add(sha, Candidate(
                name=prior.source_file if prior else item.name, path=archived,
                size_bytes=archived.stat().st_size,
                modified_at=prior.file_modified_at if prior else item.modified_at,
                received_at=prior.received_at if prior else arrived.get(sha, now),
            ))
    report_progress("archive", len(files), len(files))
    for sha, prior in known.items():
        if sha not in candidates:
            path = archive_path_for(archive.folder, sha)
            add(sha, Candidate(
                name=prior.source_file, path=path,
                size_bytes=path.stat().st_size if path.exists() else 0,
                modified_at=prior.file_modified_at, received_at=prior.received_at,
            ))
    return candidates

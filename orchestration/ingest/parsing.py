"""Parse the files of a load into what the raw tables need, on every core when it pays.

Parsing is CPU work per file (python-calamine, then validation), independent between files, so
a national inbox (~1.600 files) is parsed by a pool of worker processes, one per core. A few
files (a corrected report, a re-run) are parsed in this process: starting workers would cost
more than it saves. Either way the same function parses a file and the results come back in
the order of the jobs, so a load is deterministic.

A parsed file travels as a `ParsedFile`: the figures (and a targets decision's rows) as
columns, not one object per figure, which a worker returns cheaply. This module imports only
`ingest` and the standard library (orchestration.runtime.workers), so workers start quickly.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest.limits import Limits
from ingest.model import ParseResult, Rejection
from ingest.parse import parse_file
from ingest.reference import Registry, load_registry
from orchestration.runtime.workers import exit_when_orphaned

# Starting a worker costs ~0,8 s of CPU (imports), parsing a file ~5 ms: a worker pays off
# from a few hundred files. The 14-unit demo (~140 files) parses in this process, the national
# inbox (~1.600) on every core.
MIN_FILES_PER_WORKER = 200
POOL_MIN_FILES = 2 * MIN_FILES_PER_WORKER
MAX_WORKERS = 8
VALUE_COLUMNS = ("submission_id", "subunit", "subunit_order", "indicator", "value", "decimals",
                 "source_cell")
TARGET_COLUMNS = ("decision_id", "unit", "unit_type", "indicator", "comparator", "value",
                  "decimals", "source_cell")


@dataclass(frozen=True)
class ParseJob:
    """One received content to parse: its hash, the name it arrived under, its archived copy."""

    sha256: str
    name: str
    path: Path


@dataclass(frozen=True)
class SubmissionRow:
    """The parsed part of a raw.submissions row (the file's dates are added when written)."""

    submission_id: str
    unit_code: str
    province_code: str
    year: int
    form: str
    report_date: date | None
    unit_name_reported: str | None
    sheet_name: str | None


@dataclass(frozen=True)
class DecisionRow:
    """The parsed part of a raw.target_decisions row (the file's dates are added when written)."""

    decision_id: str
    decision_number: str
    decision_date: date | None
    issuer: str | None
    year: int
    sheet_name: str | None
    unit_types: tuple[str, ...]  # whose targets it sets (STP, THADS)


@dataclass(frozen=True)
class ParsedFile:
    """One parsed file as the raw tables need it, for the years this load asked for."""

    file_kind: str
    rejection: Rejection | None
    years: tuple[int, ...]  # every reporting year the file carries
    notes: tuple[str, ...]  # the parser's notes for the data team (English)
    submissions: tuple[SubmissionRow, ...]
    values: dict[str, list]  # raw.submission_values, column by column (VALUE_COLUMNS)
    decisions: tuple[DecisionRow, ...] = ()  # a targets decision file's, by year
    targets: dict[str, list] = field(  # raw.target_values, column by column (TARGET_COLUMNS)
        default_factory=lambda: {name: [] for name in TARGET_COLUMNS})


def submission_id(sha256: str, unit_code: str, year: int, form: str) -> str:
    return f"{sha256}:{unit_code}:{year}:{form}"


def decision_id(sha256: str, year: int) -> str:
    """A file carries at most one targets decision per year (ingest.targets)."""
    return f"{sha256}:targets:{year}"


def parsed_file(result: ParseResult, *, sha256: str, years: AbstractSet[int]) -> ParsedFile:
    """The rows of `result` for the given years (other years wait for their partition)."""
    submissions: list[SubmissionRow] = []
    values: dict[str, list] = {name: [] for name in VALUE_COLUMNS}
    for sub in result.submissions:
        if sub.year not in years:
            continue
        sid = submission_id(sha256, sub.unit_code, sub.year, sub.form)
        submissions.append(SubmissionRow(
            submission_id=sid, unit_code=sub.unit_code, province_code=sub.province_code,
            year=sub.year, form=sub.form, report_date=sub.report_date,
            unit_name_reported=sub.unit_name_reported, sheet_name=sub.sheet_name,
        ))
        values["submission_id"].extend([sid] * len(sub.values))
        for v in sub.values:
            values["subunit"].append(v.subunit)
            values["subunit_order"].append(v.subunit_order)
            values["indicator"].append(v.indicator)
            values["value"].append(float(v.value))
            values["decimals"].append(v.decimals)
            values["source_cell"].append(v.source_cell)
    decisions: list[DecisionRow] = []
    targets: dict[str, list] = {name: [] for name in TARGET_COLUMNS}
    for decision in result.decisions:
        if decision.year not in years:
            continue
        did = decision_id(sha256, decision.year)
        decisions.append(DecisionRow(
            decision_id=did, decision_number=decision.decision_number,
            decision_date=decision.decision_date, issuer=decision.issuer, year=decision.year,
            sheet_name=decision.sheet_name, unit_types=decision.unit_types))
        for row in decision.rows:
            for name, value in zip(TARGET_COLUMNS, (
                    did, row.unit, row.unit_type, row.indicator, row.comparator,
                    float(row.value), row.decimals, row.source_cell), strict=True):
                targets[name].append(value)
    return ParsedFile(
        file_kind=result.file_kind, rejection=result.rejection, years=result.years,
        notes=result.warnings, submissions=tuple(submissions), values=values,
        decisions=tuple(decisions), targets=targets,
    )


@dataclass(frozen=True)
class _Parser:
    """Everything a parse needs besides the file; built once per process."""

    registry: Registry
    scope: str
    limits: Limits
    years: frozenset[int]

    def __call__(self, job: ParseJob) -> ParsedFile:
        result = parse_file(job.path, source_name=job.name, registry=self.registry,
                            scope=self.scope, limits=self.limits)
        return parsed_file(result, sha256=job.sha256, years=self.years)


_worker_parser: _Parser | None = None


def _start_worker(scope: str, limits: Limits, years: frozenset[int], parent: int) -> None:
    global _worker_parser  # noqa: PLW0603 - one parser per worker process, built once
    exit_when_orphaned(parent)  # else a killed load's workers wait for tasks forever
    _worker_parser = _Parser(load_registry(), scope, limits, years)


def _parse_in_worker(job: ParseJob) -> ParsedFile:
    assert _worker_parser is not None, "worker started without _start_worker"
    return _worker_parser(job)


def worker_count(files: int, cores: int | None = None) -> int:
    """How many worker processes parse `files` files; 0 means parse in this process."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    if cores < 2 or files < POOL_MIN_FILES:
        return 0
    return min(cores, MAX_WORKERS, files // MIN_FILES_PER_WORKER)


class ParsePool:
    """Parses jobs as they are handed in, on worker processes when there are many; gives the
    results back in the order of the jobs.

    Jobs can be handed in while the files are still being archived, so parsing overlaps the
    copying. `expected` (a guess of the number of jobs, made before any is known) decides
    whether workers are started; below POOL_MIN_FILES the jobs are parsed in this process.
    """

    def __init__(self, *, scope: str, limits: Limits, years: set[int], expected: int,
                 registry: Registry | None = None, workers: int | None = None) -> None:
        count = worker_count(expected) if workers is None else workers
        frozen_years = frozenset(years)
        self._jobs: list[ParseJob] = []
        self._futures: list[Future[ParsedFile]] = []
        self._parser: _Parser | None = None
        self._pool: ProcessPoolExecutor | None = None
        if count:
            # Fresh workers ("spawn"): this process runs Dagster's threads, and forking a
            # threaded process is unsafe.
            self._pool = ProcessPoolExecutor(
                max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(scope, limits, frozen_years, os.getpid()))
        else:
            self._parser = _Parser(registry or load_registry(), scope, limits, frozen_years)

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: ParseJob) -> None:
        self._jobs.append(job)
        if self._pool is not None:
            self._futures.append(self._pool.submit(_parse_in_worker, job))

    def results(self) -> Iterator[tuple[ParseJob, ParsedFile]]:
        """(job, result) for every job handed in, in that order."""
        for index, job in enumerate(self._jobs):
            if self._pool is not None:
                yield job, self._futures[index].result()
            else:
                assert self._parser is not None
                yield job, self._parser(job)


def parse_jobs(
    jobs: Sequence[ParseJob], *, scope: str, limits: Limits, years: set[int],
    registry: Registry | None = None, workers: int | None = None,
) -> Iterator[ParsedFile]:
    """Parse every job; results in the order of `jobs` (workers: `worker_count` by default)."""
    with ParsePool(scope=scope, limits=limits, years=years, expected=len(jobs),
                   registry=registry, workers=workers) as pool:
        for job in jobs:
            pool.submit(job)
        for _, parsed in pool.results():
            yield parsed

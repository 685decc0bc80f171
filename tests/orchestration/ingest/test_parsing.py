"""Parsing a load's files: the worker count, and a real pool of worker processes giving exactly
what parsing in this process gives, in the order of the jobs."""

from __future__ import annotations

import hashlib

import pytest

from ingest.limits import DEFAULT_LIMITS
from ingest.sample import write_sample
from orchestration.ingest.parsing import POOL_MIN_FILES, ParseJob, parse_jobs, worker_count


@pytest.mark.parametrize(("files", "cores", "workers"), [
    (1, 8, 0),  # a correction: parse here, starting workers costs more
    (POOL_MIN_FILES - 1, 8, 0),
    (POOL_MIN_FILES, 1, 0),  # one core: nothing to share
    (POOL_MIN_FILES, 2, 2),
    (1619, 2, 2),
    (1619, 64, 8),  # capped
    (1000, 64, 5),  # a worker needs files enough to pay off
])
def test_worker_count(files: int, cores: int, workers: int) -> None:
    assert worker_count(files, cores) == workers


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> list[ParseJob]:
    folder = tmp_path_factory.mktemp("inbox")
    write_sample(folder, years=[2022, 2023])  # includes files that are rejected
    return [ParseJob(hashlib.sha256(path.read_bytes()).hexdigest(), path.name, path)
            for path in sorted(folder.iterdir())]


def test_a_pool_of_workers_parses_exactly_as_this_process_does(jobs: list[ParseJob]) -> None:
    here = list(parse_jobs(jobs, scope="cluster", limits=DEFAULT_LIMITS, years={2022, 2023},
                           workers=0))
    pooled = list(parse_jobs(jobs, scope="cluster", limits=DEFAULT_LIMITS, years={2022, 2023},
                             workers=2))
    assert pooled == here
    assert any(p.rejection is not None for p in here)
    assert sum(len(p.values["submission_id"]) for p in here) > 1000
    # Submissions carry only the years asked for; the file's years are all reported.
    only_2022 = list(parse_jobs(jobs, scope="cluster", limits=DEFAULT_LIMITS, years={2022},
                                workers=0))
    assert {s.year for p in only_2022 for s in p.submissions} == {2022}
    assert [p.years for p in only_2022] == [p.years for p in here]

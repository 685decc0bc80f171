"""A tiny benchmark input shared by the benchmark tests: two years of the cluster sample,
without flawed files, and the floor computed on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.floor import FloorResult, run_floor
from ingest.sample import write_sample

YEARS = [2022, 2023]


@pytest.fixture(scope="package")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster")
    write_sample(out, years=YEARS, include_flawed=False)
    return out


@pytest.fixture(scope="package")
def floor(inbox: Path) -> FloorResult:
    return run_floor(inbox)

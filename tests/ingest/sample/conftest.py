"""The samples the tests judge, written once per test session worker and package."""

from __future__ import annotations

import pytest

from ingest.sample import write_sample
from tests.ingest.sample.samples import Sample, load_sample


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return load_sample(write_sample(tmp_path_factory.mktemp("cluster")))


@pytest.fixture(scope="package")
def national(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    out = tmp_path_factory.mktemp("national")
    return load_sample(write_sample(out, scale="national", include_flawed=False,
                                    years=[2024, 2025]))

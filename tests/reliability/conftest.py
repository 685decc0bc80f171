"""Shared fixtures of the reliability tests: the sample reports, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sample import SampleManifest, write_sample


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleManifest:
    """The cluster sample (good and deliberately flawed files), as `tuphap sample` writes it."""
    return write_sample(tmp_path_factory.mktemp("sample") / "inbox")


@pytest.fixture(scope="session")
def sample_dir(sample: SampleManifest) -> Path:
    return sample.out_dir

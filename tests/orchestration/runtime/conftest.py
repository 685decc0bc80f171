"""Helpers of a load come two ways: `kind` runs a test for each."""

from __future__ import annotations

import os

import pytest

from orchestration.runtime.preload_client import PRELOAD_ENV


@pytest.fixture(params=["spawned", "preloaded"])
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the helper comes from: a new process, or the suite's preload server (in
    TUPHAP_PRELOAD, with Great Expectations and dbt imported: tests/conftest.py)."""
    if request.param == "spawned":
        monkeypatch.delenv(PRELOAD_ENV, raising=False)
    else:
        assert os.environ.get(PRELOAD_ENV), "tests/conftest.py starts the preload server"
    return str(request.param)


def origin_of(kind: str) -> str:
    """How a helper of `kind` says where it came from."""
    return "forked by the preload server" if kind == "preloaded" else "a new process"

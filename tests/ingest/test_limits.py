"""Limits: documented defaults and environment overrides."""

from __future__ import annotations

import pytest

from ingest.limits import DEFAULT_LIMITS, MIB, Limits


def test_defaults() -> None:
    assert DEFAULT_LIMITS.max_file_bytes == 50 * MIB
    assert DEFAULT_LIMITS.max_inflated_bytes == 100 * MIB
    assert DEFAULT_LIMITS.max_compression_ratio == 200
    assert DEFAULT_LIMITS.max_rows == 100_000
    assert DEFAULT_LIMITS.max_cells == 2_000_000


def test_from_env_overrides_only_what_is_set() -> None:
    limits = Limits.from_env({"TUPHAP_MAX_FILE_BYTES": "1024", "TUPHAP_MAX_ROWS": " 50_000 ",
                              "TUPHAP_MAX_CELLS": ""})
    assert limits.max_file_bytes == 1024
    assert limits.max_rows == 50_000
    assert limits.max_cells == DEFAULT_LIMITS.max_cells
    assert Limits.from_env({}) == DEFAULT_LIMITS


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUPHAP_MAX_INFLATED_BYTES", "2048")
    monkeypatch.setenv("TUPHAP_MAX_COMPRESSION_RATIO", "50")
    limits = Limits.from_env()
    assert limits.max_inflated_bytes == 2048 and limits.max_compression_ratio == 50


@pytest.mark.parametrize("raw", ["abc", "-5", "0", "1.5"])
def test_from_env_rejects_bad_values(raw: str) -> None:
    with pytest.raises(ValueError, match="TUPHAP_MAX_ROWS|max_rows"):
        Limits.from_env({"TUPHAP_MAX_ROWS": raw})

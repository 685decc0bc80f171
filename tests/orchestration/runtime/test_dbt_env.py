"""What dbt reads from the environment during a load (orchestration/runtime/dbt_env.py), and the dbt
parse kept for each warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.runtime.dbt_env import (
    PARSE_CACHE_FILES,
    dbt_environment,
    keep_parse,
    parse_cache_file,
)


def test_each_warehouse_keeps_its_own_dbt_parse(tmp_path: Path) -> None:
    first = parse_cache_file(tmp_path, tmp_path / "a" / ".build" / "tuphap.duckdb")
    second = parse_cache_file(tmp_path, tmp_path / "b" / ".build" / "tuphap.duckdb")
    assert first != second and first.parent == second.parent
    assert first == parse_cache_file(tmp_path, tmp_path / "a" / ".build" / "tuphap.duckdb")
    produced = tmp_path / "partial_parse.msgpack"
    keep_parse(produced, first)  # dbt produced nothing: nothing kept
    assert not first.exists()
    produced.write_bytes(b"parse")
    keep_parse(produced, first, prune=True)
    assert first.read_bytes() == b"parse"
    # Only the newest parses are kept.
    for index in range(PARSE_CACHE_FILES + 3):
        kept = parse_cache_file(tmp_path, tmp_path / f"w{index}.duckdb")
        keep_parse(produced, kept, prune=True)
        os.utime(kept, (1_000_000 + index, 1_000_000 + index))
    keep_parse(produced, first, prune=True)
    assert len(list(first.parent.glob("*.msgpack"))) == PARSE_CACHE_FILES
    assert first.exists()


def test_dbt_environment_points_at_the_build_and_carries_the_scope(tmp_path: Path) -> None:
    target = {"TUPHAP_DBT_DB_PATH": str(tmp_path / "b.duckdb")}  # the engine's profile values
    env = dbt_environment(target=target, scope="national")
    assert env == {"TUPHAP_DBT_DB_PATH": str(tmp_path / "b.duckdb"), "TUPHAP_SCOPE": "national"}
    with pytest.raises(ValueError):
        dbt_environment(target=target, scope="province")

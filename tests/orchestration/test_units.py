"""Pure pieces of the orchestration: dbt arguments, year ranges, schedule years, run plans."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest

from orchestration.partitions import parse_years, range_tags, report_years
from orchestration.schedules import year_to_load


def test_dbt_build_leaves_unit_tests_to_ci_and_passes_no_vars() -> None:
    from orchestration.dbt import dbt_build_args

    assert dbt_build_args() == ["build", "--log-level-file", "none",
                                "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(unit_tests=True) == ["build", "--log-level-file", "none"]
    assert dbt_build_args(full_refresh=True)[-1] == "--full-refresh"
    assert not any(arg.startswith("--vars") for arg in dbt_build_args(full_refresh=True))


def test_dbt_test_outcomes_count_tests_only() -> None:
    from orchestration.dbt import dbt_test_outcomes

    results = {"results": [
        {"unique_id": "model.tuphap.fct_mediation", "status": "success"},
        {"unique_id": "test.tuphap.unique_x", "status": "pass"},
        {"unique_id": "test.tuphap.unique_y", "status": "pass"},
        {"unique_id": "test.tuphap.values_z", "status": "warn"},
    ]}
    assert dbt_test_outcomes(results) == {"pass": 2, "warn": 1}
    assert dbt_test_outcomes({}) == {}


def test_each_warehouse_keeps_its_own_dbt_parse(tmp_path) -> None:
    from orchestration.dbt_env import PARSE_CACHE_FILES, keep_parse, parse_cache_file

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


def test_the_dbt_resource_reads_the_warehouse_the_run_will_build(tmp_path, monkeypatch) -> None:
    from orchestration.dbt_resource import run_warehouse

    monkeypatch.delenv("TUPHAP_WAREHOUSE", raising=False)
    monkeypatch.delenv("TUPHAP_SCOPE", raising=False)
    config = {"resources": {"warehouse": {"config": {"path": str(tmp_path / "w.duckdb"),
                                                     "scope": "national"}}}}
    assert run_warehouse(config) == (tmp_path / "w.duckdb", "national")
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert run_warehouse(None) == (tmp_path / "env.duckdb", "cluster")
    assert run_warehouse({"resources": {"warehouse": {}}})[0] == tmp_path / "env.duckdb"


def test_dbt_environment_points_at_the_build_and_carries_the_scope(tmp_path) -> None:
    from orchestration.dbt_env import dbt_environment

    env = dbt_environment(database=tmp_path / "b.duckdb", scope="national")
    assert env == {"TUPHAP_DBT_DB_PATH": str(tmp_path / "b.duckdb"), "TUPHAP_SCOPE": "national"}
    with pytest.raises(ValueError):
        dbt_environment(database=tmp_path, scope="province")


def test_years_are_parsed_and_validated() -> None:
    assert parse_years("2018-2025") == ("2018", "2025")
    assert parse_years("2025-2018") == ("2018", "2025")
    assert parse_years("2024") == ("2024", "2024")
    with pytest.raises(ValueError, match="like 2018-2025"):
        parse_years("last year")
    with pytest.raises(ValueError, match="outside"):
        parse_years("1990-2000")
    assert range_tags("2018", "2020")["dagster/asset_partition_range_end"] == "2020"


def test_report_years_run_to_next_year() -> None:
    years = report_years(date(2026, 11, 26))
    assert years[0] == "2015" and years[-1] == "2027"


@pytest.mark.parametrize(
    ("tick", "year"),
    [(datetime(2026, 10, 20, 6), 2026), (datetime(2026, 12, 15, 6), 2026),
     (datetime(2027, 2, 1, 6), 2026)],
)
def test_schedule_loads_the_right_reporting_year(tick: datetime, year: int) -> None:
    assert year_to_load(tick) == year

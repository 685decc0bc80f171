"""Pure pieces of the orchestration: dbt arguments, year ranges, schedule years, run plans."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from orchestration.partitions import parse_years, range_tags, report_years
from orchestration.schedules import year_to_load


def test_dbt_build_leaves_unit_tests_to_ci_and_passes_no_vars() -> None:
    from orchestration.dbt import dbt_build_args

    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(unit_tests=True) == ["build"]
    assert dbt_build_args(full_refresh=True)[-1] == "--full-refresh"
    assert not any(arg.startswith("--vars") for arg in dbt_build_args(full_refresh=True))


def test_dbt_environment_points_at_the_build_and_carries_the_scope(tmp_path) -> None:
    from orchestration.dbt import dbt_environment

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

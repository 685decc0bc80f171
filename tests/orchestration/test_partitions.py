"""Reporting years as partitions (orchestration/partitions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.constants import FIRST_REPORTING_YEAR
from orchestration.partitions import parse_years, range_tags, report_years


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
    assert years[0] == str(FIRST_REPORTING_YEAR)  # the one definition, ingest/constants.py

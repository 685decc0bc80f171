"""The yearly schedule (orchestration/automation/schedules.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from orchestration.automation.schedules import year_to_load


@pytest.mark.parametrize(
    ("tick", "year"),
    [(datetime(2026, 10, 20, 6), 2026), (datetime(2026, 12, 15, 6), 2026),
     (datetime(2027, 2, 1, 6), 2026)],
)
def test_schedule_loads_the_right_reporting_year(tick: datetime, year: int) -> None:
    assert year_to_load(tick) == year

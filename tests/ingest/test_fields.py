"""The reporting year a report may carry is the warehouse's supported range, not a guess."""

from __future__ import annotations

import pytest

from ingest.constants import FIRST_REPORTING_YEAR, last_reporting_year
from ingest.fields import parse_report_date, parse_year
from ingest.text import Problem


def test_every_supported_year_is_accepted() -> None:
    assert parse_year(str(FIRST_REPORTING_YEAR), "") == FIRST_REPORTING_YEAR
    assert parse_year(f"Năm {last_reporting_year()}", "") == last_reporting_year()


@pytest.mark.parametrize("year", [FIRST_REPORTING_YEAR - 1, last_reporting_year() + 1])
def test_a_year_outside_the_range_names_the_range(year: int) -> None:
    with pytest.raises(Problem) as caught:
        parse_year(year, "biểu PBGDPL, ô C4")
    assert caught.value.code == "year_invalid"
    assert caught.value.what == (f"năm báo cáo {year} không hợp lệ (phải từ "
                                 f"{FIRST_REPORTING_YEAR} đến {last_reporting_year()})")


def test_a_report_date_outside_the_range_is_refused() -> None:
    with pytest.raises(Problem) as caught:
        parse_report_date(f"15/11/{FIRST_REPORTING_YEAR - 1}", "")
    assert caught.value.code == "bad_date"
    assert parse_report_date(f"15/11/{FIRST_REPORTING_YEAR}", "").year == FIRST_REPORTING_YEAR

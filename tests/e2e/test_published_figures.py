"""The demo warehouse reproduces the cluster's published 2022 figures (domain.md), on DuckDB and
on PostgreSQL (read there as the reader role a DBA created): the same figures, mergers,
corrections, planted issues and rejections."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.conftest import Published

# One worker owns the shared demo load (pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e")


def test_rpt_cluster_year_2022_equals_the_published_figures(published: Published) -> None:
    (row,) = published.rows(
        "select sessions, attendees, documents, cases_received, cases_successful,"
        " success_rate, cases_accepted, cases_eligible, cases_resolved,"
        " case_resolution_rate, member_province_count"
        " from main.rpt_cluster_year where year = 2022")
    (sessions, attendees, documents, received, successful, success_rate, accepted, eligible,
     resolved, resolution_rate, members) = row
    assert members == 7
    assert sessions == 27_430
    assert attendees > 1_800_000  # "hơn 1,8 triệu"
    assert documents == 410_870
    assert (received, successful) == (3_247, 2_754)
    assert round(success_rate) == 85 and round(success_rate, 2) == 84.82
    assert 27_001 <= accepted <= 27_099  # the article's "27.00" is a typo
    assert (eligible, resolved) == (24_196, 21_698)
    assert round(resolution_rate, 2) == 89.68


def test_the_merger_holds_in_the_facts(published: Published) -> None:
    def provinces(year: int) -> set[str]:
        return {r[0] for r in published.rows(
            "select province_code from main.fct_enforcement where year = ?", (year,))}

    assert {"02", "10"} <= provinces(2024) and "15" not in provinces(2024)
    assert {"08", "15"} <= provinces(2025) and not {"02", "10"} & provinces(2025)
    units = dict(published.rows(
        "select year, unit_code from main.fct_enforcement where province_code in ('10', '15')"
        " and year in (2024, 2025)"))
    assert units == {2024: "THADS-10", 2025: "THADS-15"}
    (successor,) = published.rows(
        "select successor_province_code, valid_to from main.dim_province"
        " where province_code = '02'")
    assert successor[0] == "08" and str(successor[1]) == "2025-06-30"


def test_corrections_replace_the_reports_they_correct(published: Published) -> None:
    """The sample's official STP-12 2023 report replaces its preliminary one, and a later
    correction of THADS-14's 2024 cases replaces the good report (ingest/sample): the facts
    carry the correcting file's figures and say which file they came from."""
    assert published.rows(
        "select source_file, report_date from main.fct_dissemination"
        " where unit_code = 'STP-12' and year = 2023") == [
        ("2023_STP-12_chinh-thuc.xlsx", date(2024, 1, 15))]
    (preliminary,) = published.rows(
        "select count(*) from raw.submissions where source_file = ?",
        ("2023_STP-12_so-bo.xlsx",), lower_layers=True)
    assert preliminary == (2,)  # loaded (both forms), then replaced
    (enforcement,) = published.rows(
        "select cases_source_file, cases_eligible, cases_resolved, money_source_file"
        " from main.fct_enforcement where unit_code = 'THADS-14' and year = 2024")
    assert enforcement == ("LOI_2024_THADS-14_dinh-chinh_vuot-co-dieu-kien.xlsx", 4_919, 4_956,
                           "2024_THADS-14_Son-La_tien.xlsx")  # the money report stands
    (superseded,) = published.rows(
        "select count(*) from main.dq_issues where rule_id = 'GEN-04' and unit_code = ?"
        " and year = ? and status = 'open'", ("THADS-14", 2024))
    assert superseded == (1,)  # the replacement changed figures: said, not silent


def test_the_demo_flaws_show_as_issues_and_rejections(published: Published) -> None:
    rules = {r[0] for r in published.rows(
        "select distinct rule_id from main.dq_issues where status = 'open'")}
    codes = {r[0] for r in published.rows("select reason_code from main.rejected_reports")}
    assert {"ENF-05", "GEN-02", "GEN-04"} <= rules
    assert {"not_a_number", "unit_unknown", "unit_out_of_scope", "negative"} <= codes
    assert "Open quality issues:" in published.first.stdout

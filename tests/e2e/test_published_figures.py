"""The demo warehouse reproduces the cluster's published 2022 figures (domain.md)."""

from __future__ import annotations

import duckdb
import pytest

from tests.e2e.conftest import Loaded

# One worker owns the shared demo load (pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e")


def test_rpt_cluster_year_2022_equals_the_published_figures(demo_load: Loaded) -> None:
    con = duckdb.connect(str(demo_load.warehouse), read_only=True)
    try:
        row = con.execute(
            "select sessions, attendees, documents, cases_received, cases_successful,"
            " success_rate, cases_accepted, cases_eligible, cases_resolved,"
            " case_resolution_rate, member_province_count"
            " from rpt_cluster_year where year = 2022"
        ).fetchone()
    finally:
        con.close()
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


def test_the_merger_holds_in_the_facts(demo_load: Loaded) -> None:
    con = duckdb.connect(str(demo_load.warehouse), read_only=True)
    try:
        def provinces(year: int) -> set[str]:
            return {r[0] for r in con.execute(
                "select province_code from fct_enforcement where year = ?", [year]).fetchall()}

        assert {"02", "10"} <= provinces(2024) and "15" not in provinces(2024)
        assert {"08", "15"} <= provinces(2025) and not {"02", "10"} & provinces(2025)
        units = dict(con.execute(
            "select year, unit_code from fct_enforcement where province_code in ('10', '15')"
            " and year in (2024, 2025)").fetchall())
        assert units == {2024: "THADS-10", 2025: "THADS-15"}
        successor = con.execute(
            "select successor_province_code, valid_to from dim_province"
            " where province_code = '02'").fetchone()
        assert successor[0] == "08" and str(successor[1]) == "2025-06-30"
    finally:
        con.close()


def test_the_demo_flaws_show_as_issues_and_rejections(demo_load: Loaded) -> None:
    con = duckdb.connect(str(demo_load.warehouse), read_only=True)
    try:
        rules = {r[0] for r in con.execute(
            "select distinct rule_id from dq_issues where status = 'open'").fetchall()}
        codes = {r[0] for r in con.execute("select reason_code from rejected_reports").fetchall()}
    finally:
        con.close()
    assert {"ENF-05", "GEN-02", "GEN-04"} <= rules
    assert {"not_a_number", "unit_unknown", "unit_out_of_scope", "negative"} <= codes
    assert "Open quality issues:" in demo_load.first.stdout

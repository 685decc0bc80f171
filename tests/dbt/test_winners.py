"""Which submission wins a unit, year and form, and what its unit total of each figure is.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import Warehouse

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")


def test_later_report_date_wins_even_when_received_earlier(warehouse: Warehouse) -> None:
    ids = warehouse.scenario.submissions
    ranked = warehouse.query(
        "select submission_id, submission_rank, is_winning, ranking_basis, winning_submission_id"
        " from intermediate.int_submissions_ranked where unit_code = 'STP-11'"
        " order by submission_rank"
    )
    assert [r["submission_id"] for r in ranked] == [ids["stp11_official"],
                                                     ids["stp11_preliminary"]]
    assert [r["is_winning"] for r in ranked] == [True, False]
    assert {r["ranking_basis"] for r in ranked} == {"report_date"}
    assert {r["winning_submission_id"] for r in ranked} == {ids["stp11_official"]}
    fact = warehouse.one("select * from fct_dissemination where unit_code = 'STP-11'")
    assert fact["submission_id"] == ids["stp11_official"]
    assert fact["source_file"] == "dien_bien_chinh_thuc.xlsx"
    assert fact["sessions"] == 1000


def test_without_report_dates_the_later_received_wins(warehouse: Warehouse) -> None:
    ids = warehouse.scenario.submissions
    winner = warehouse.one(
        "select submission_id, ranking_basis from intermediate.int_submissions_ranked"
        " where unit_code = 'STP-12' and is_winning"
    )
    assert winner == {"submission_id": ids["stp12_correction"], "ranking_basis": "received_at"}
    fact = warehouse.one("select * from fct_mediation where unit_code = 'STP-12'")
    assert fact["teams"] == 210
    assert fact["cases_received"] == 120
    assert fact["source_file"] == "lai_chau_hoa_giai_sua.xlsx"
    assert fact["success_rate"] == pytest.approx(85.0)
    assert (fact["reported_success_rate"], fact["reported_success_rate_decimals"]) == (85.0, 0)


def test_total_row_is_the_unit_total_else_the_sum_of_subunits(warehouse: Warehouse) -> None:
    totals = {
        (r["unit_code"], r["indicator"]): r for r in warehouse.query(
            "select * from intermediate.int_unit_totals"
            " where unit_code in ('STP-04', 'STP-10') and form in ('PBGDPL', 'HOAGIAI')"
        )
    }
    with_total = totals[("STP-04", "sessions")]
    assert (with_total["value"], with_total["reported_total"], with_total["subunit_sum"],
            with_total["subunit_count"], with_total["total_source"]) == (
        1200, 1200, 1190, 2, "total_row")
    summed = totals[("STP-10", "attendees")]
    assert (summed["value"], summed["reported_total"], summed["subunit_sum"],
            summed["total_source"]) == (115000, None, 115000, "subunit_sum")
    # Sub-unit rates are not additive: no unit-level success rate without a total row.
    assert ("STP-04", "success_rate") not in totals


def test_not_reported_value_stays_null(warehouse: Warehouse) -> None:
    dien_bien = warehouse.one(
        "select legal_propagandists, legal_reporters from fct_dissemination"
        " where unit_code = 'STP-11'"
    )
    assert dien_bien == {"legal_propagandists": None, "legal_reporters": 30}
    cao_bang = warehouse.one(
        "select cases_entrusted, cases_revoked, money_eligible from fct_enforcement"
        " where unit_code = 'THADS-04'"
    )
    assert cao_bang == {"cases_entrusted": None, "cases_revoked": 0, "money_eligible": None}

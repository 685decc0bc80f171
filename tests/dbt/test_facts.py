"""The facts hold exactly the reported figures, with rates computed from counts and lineage.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import Warehouse

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")


def test_dissemination_fact_equals_the_reported_figures(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select province_code, year, unit_code, sessions, attendees, documents, legal_reporters,"
        " legal_propagandists from fct_dissemination order by year, province_code"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("02", 2024, "STP-02", 2000, 150000, 30000, 45, 800),
        ("04", 2024, "STP-04", 1200, 90000, 15000, 40, 500),
        ("10", 2024, "STP-10", 1500, 115000, 17000, 35, 550),
        ("11", 2024, "STP-11", 1000, 70000, 12000, 30, None),
        ("15", 2024, "STP-15", 1100, 80000, 14000, 25, 450),
        ("08", 2025, "STP-08", 3500, 260000, 50000, 80, 1400),
        ("15", 2025, "STP-15", 2700, 200000, 32000, 60, 1000),
    ]


def test_mediation_fact_sums_subunits_and_computes_the_rate(warehouse: Warehouse) -> None:
    cao_bang = warehouse.one("select * from fct_mediation where unit_code = 'STP-04'")
    assert {k: cao_bang[k] for k in ("teams", "mediators", "cases_received", "cases_successful",
                                     "cases_unsuccessful", "cases_pending")} == {
        "teams": 250, "mediators": 1500, "cases_received": 200, "cases_successful": 160,
        "cases_unsuccessful": 30, "cases_pending": 10}
    assert cao_bang["success_rate"] == pytest.approx(80.0)
    assert cao_bang["reported_success_rate"] is None


def test_enforcement_fact_pivots_cases_and_money(warehouse: Warehouse) -> None:
    ids = warehouse.scenario.submissions
    lao_cai = warehouse.one(
        "select * from fct_enforcement where province_code = '10' and year = 2024"
    )
    assert lao_cai["unit_code"] == "THADS-10"
    assert lao_cai["unit_name"] == "Cục Thi hành án dân sự tỉnh Lào Cai"
    assert (lao_cai["cases_carried_over"], lao_cai["cases_new"], lao_cai["cases_accepted"],
            lao_cai["cases_to_enforce"], lao_cai["cases_eligible"], lao_cai["cases_resolved"],
            lao_cai["cases_carried_forward"]) == (1000, 2500, 3500, 3440, 3000, 2600, 840)
    assert lao_cai["case_resolution_rate"] == pytest.approx(100 * 2600 / 3000)
    assert lao_cai["reported_case_resolution_rate"] == pytest.approx(86.67)
    assert lao_cai["reported_case_resolution_rate_decimals"] == 2
    assert (lao_cai["money_eligible"], lao_cai["money_resolved"]) == (1600000, 1200000)
    assert lao_cai["money_resolution_rate"] == pytest.approx(75.0)
    assert lao_cai["reported_money_resolution_rate"] is None
    # Lineage per form: both forms came in one file.
    assert lao_cai["cases_submission_id"] == ids["thads10_2024_viec"]
    assert lao_cai["money_submission_id"] == ids["thads10_2024_tien"]
    assert lao_cai["cases_source_file"] == lao_cai["money_source_file"] == \
        "thads_lao_cai_2024.xlsx"
    assert lao_cai["cases_sha256"] == lao_cai["money_sha256"] == \
        ids["thads10_2024_viec"].split(":")[0]
    assert lao_cai["cases_received_at"] is not None
    assert lao_cai["cases_loaded_at"] > lao_cai["cases_received_at"]

    # Only the case form reported: the row exists, the money columns are NULL.
    new_lao_cai = warehouse.one(
        "select * from fct_enforcement where province_code = '15' and year = 2025"
    )
    assert new_lao_cai["unit_name"] == "Thi hành án dân sự tỉnh Lào Cai"
    assert new_lao_cai["cases_resolved"] == 2450
    assert new_lao_cai["case_resolution_rate"] == pytest.approx(87.5)
    money = {k: v for k, v in new_lao_cai.items() if k.startswith("money_")}
    assert set(money.values()) == {None}


def test_every_fact_row_traces_to_its_submission(warehouse: Warehouse) -> None:
    for table in ("fct_dissemination", "fct_mediation"):
        rows = warehouse.query(
            f"select f.submission_id, f.sha256, f.source_file, f.loaded_at, s.sha256 as s_sha,"  # noqa: S608
            f" s.source_file as s_file, s.loaded_at as s_loaded from {table} f"
            " join raw.submissions s using (submission_id)"
        )
        assert rows
        for row in rows:
            assert (row["sha256"], row["source_file"], row["loaded_at"]) == (
                row["s_sha"], row["s_file"], row["s_loaded"])

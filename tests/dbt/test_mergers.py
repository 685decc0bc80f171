"""The 2025 mergers: province codes as reported that year, and today's boundaries added up.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import Warehouse

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")


def test_province_codes_follow_the_report_year(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select province_code, year, province_name from fct_dissemination"
        " where province_code in ('02', '08', '10', '15') order by year, province_code"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("02", 2024, "Tỉnh Hà Giang"),
        ("10", 2024, "Tỉnh Lào Cai"),
        ("15", 2024, "Tỉnh Yên Bái"),
        ("08", 2025, "Tỉnh Tuyên Quang"),
        ("15", 2025, "Tỉnh Lào Cai"),
    ]


def test_current_boundaries_add_up_predecessors(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select current_province_code, current_province_name, year, sessions, attendees,"
        " source_province_codes, source_unit_count, territory_province_count,"
        " is_complete_territory from fct_dissemination_current_boundaries"
        " where current_province_code in ('02', '08', '10', '15') order by year, 1"
    )
    assert [tuple(r.values()) for r in rows] == [
        # Hà Giang 02 belongs to today's Tuyên Quang; old Tuyên Quang did not report.
        ("08", "Tỉnh Tuyên Quang", 2024, 2000, 150000, "02", 1, 2, False),
        # Lào Cai 10 + Yên Bái 15 = today's Lào Cai 15.
        ("15", "Tỉnh Lào Cai", 2024, 2600, 195000, "10,15", 2, 2, True),
        ("08", "Tỉnh Tuyên Quang", 2025, 3500, 260000, "08", 1, 1, True),
        ("15", "Tỉnh Lào Cai", 2025, 2700, 200000, "15", 1, 1, True),
    ]
    enforcement = warehouse.query(
        "select year, cases_eligible, cases_resolved, case_resolution_rate, money_eligible,"
        " source_province_codes from fct_enforcement_current_boundaries"
        " where current_province_code = '15' order by year"
    )
    assert [(r["year"], r["cases_eligible"], r["cases_resolved"], r["money_eligible"],
             r["source_province_codes"]) for r in enforcement] == [
        (2024, 3000, 2600, 1600000, "10"), (2025, 2800, 2450, None, "15")]
    assert enforcement[1]["case_resolution_rate"] == pytest.approx(87.5)


def test_province_mapping_and_dim_province(warehouse: Warehouse) -> None:
    mapping = {
        (r["province_code"], r["valid_from"] is None): r["current_province_code"]
        for r in warehouse.query(
            "select province_code, valid_from, current_province_code"
            " from intermediate.int_province_current_mapping"
        )
    }
    assert mapping[("02", True)] == "08"
    assert mapping[("08", True)] == "08"
    assert mapping[("08", False)] == "08"
    assert mapping[("10", True)] == "15"
    assert mapping[("15", True)] == "15"
    assert mapping[("04", True)] == "04"
    current = warehouse.query("select province_code from dim_province where is_current")
    assert len(current) == 34
    ha_giang = warehouse.one("select * from dim_province where province_code = '02'")
    assert (ha_giang["successor_province_code"], ha_giang["is_current"],
            str(ha_giang["valid_to"])) == ("08", False, "2025-06-30")

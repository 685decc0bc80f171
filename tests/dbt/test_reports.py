"""The cluster and national reports, the rejected reports and the reporting periods.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.dbt.conftest import Warehouse

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")


def test_cluster_report_sums_the_members_of_each_year(warehouse: Warehouse) -> None:
    y2024 = warehouse.one("select * from rpt_cluster_year where year = 2024")
    # Members 2024: 02 04 10 11 12 14 20; Yên Bái 15 reported but is not a member.
    assert (y2024["member_province_count"], y2024["reporting_province_count"]) == (7, 5)
    assert y2024["member_province_codes"] == "02,04,10,11,12,14,20"
    assert y2024["reporting_province_codes"] == "02,04,10,11,12"
    assert y2024["sessions"] == 2000 + 1200 + 1500 + 1000
    assert y2024["legal_propagandists"] == 800 + 500 + 550  # Điện Biên left it empty
    assert (y2024["cases_received"], y2024["cases_successful"]) == (320, 262)
    assert y2024["success_rate"] == pytest.approx(81.875)  # from totals, not averaged
    assert (y2024["cases_eligible"], y2024["cases_resolved"]) == (4200, 3680)
    assert y2024["case_resolution_rate"] == pytest.approx(100 * 3680 / 4200)
    assert y2024["cases_entrusted"] == 50
    assert y2024["money_resolution_rate"] == pytest.approx(75.0)

    y2025 = warehouse.one("select * from rpt_cluster_year where year = 2025")
    assert y2025["member_province_codes"] == "04,08,11,12,14,15,20"
    assert y2025["reporting_province_codes"] == "08,15"
    assert y2025["sessions"] == 3500 + 2700
    assert y2025["cases_received"] is None  # nobody reported mediation
    assert y2025["money_eligible"] is None

    national = warehouse.one("select * from rpt_national_year where year = 2024")
    assert national["member_province_count"] == 63
    assert national["sessions"] == y2024["sessions"] + 1100  # plus Yên Bái


def test_cluster_report_equals_the_facts_summed_over_members(warehouse: Warehouse) -> None:
    """Every count column of rpt_cluster_year against a sum computed here from the facts."""
    members = defaultdict(set)
    for row in warehouse.query("select * from reference.ref_cluster_membership"):
        for year in (2024, 2025):
            low, high = row["member_from_year"] or 0, row["member_to_year"] or 9999
            if low <= year <= high:
                members[year].add(row["province_code"])
    report = {r["year"]: r for r in warehouse.query("select * from rpt_cluster_year")}
    assert set(report) == {2024, 2025}
    checked = 0
    for table in ("fct_dissemination", "fct_mediation", "fct_enforcement"):
        facts = warehouse.query(f"select * from {table}")  # noqa: S608
        counts = [c for c, v in facts[0].items()
                  if c in report[2024] and c != "year" and isinstance(v, int | type(None))
                  and not c.endswith(("_rate", "_decimals"))]
        for year, row in report.items():
            for column in counts:
                values = [f[column] for f in facts
                          if f["year"] == year and f["province_code"] in members[year]
                          and f[column] is not None]
                assert row[column] == (sum(values) if values else None), (year, column)
                checked += 1
    assert checked == 2 * (5 + 6 + 24)


def test_rejected_reports(warehouse: Warehouse) -> None:
    rejected = warehouse.one("select * from rejected_reports")
    assert rejected["sha256"] == warehouse.scenario.rejected_sha
    assert rejected["source_file"] == "son_la_2024.xlsx"
    assert rejected["reason"].startswith("Tệp son_la_2024.xlsx, trang PBGDPL, ô C12")
    assert (rejected["reason_code"], rejected["year"], rejected["unit_code"]) == (
        "not_a_number", 2024, "STP-14")
    assert rejected["received_as"] == "son_la_2024.xlsx, son_la_2024 (1).xlsx"
    assert rejected["received_at"] is not None


def test_dim_reporting_period(warehouse: Warehouse) -> None:
    thads = warehouse.one(
        "select cast(period_start as varchar) as s, cast(period_end as varchar) as e"
        " from dim_reporting_period where form = 'THADS_TIEN' and year = 2025"
    )
    assert thads == {"s": "2024-10-01", "e": "2025-09-30"}
    years = warehouse.one(
        "select min(year) as lo, max(year) as hi, count(*) as n from dim_reporting_period"
    )
    assert years == {"lo": 2015, "hi": 2035, "n": 4 * 21}

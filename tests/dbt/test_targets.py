"""Targets in the warehouse: the decision in force, the targets it gives each unit in scope, and
fct_target_achievement, on the session's scenario (conftest.py): 2024 has a superseded THADS
decision, the decision replacing it (a unit's own target overriding its type's), and another
body's STP decision; 2025 names the successors and leaves most money targets out (TGT-01)."""

from __future__ import annotations

import pytest

from tests.dbt.conftest import Warehouse

pytestmark = pytest.mark.xdist_group("dbt")

CLUSTER_2024 = ("02", "04", "10", "11", "12", "14", "20")
CLUSTER_2025 = ("04", "08", "11", "12", "14", "15", "20")


def achievement(warehouse: Warehouse) -> dict[tuple[str, int, str], tuple]:
    rows = warehouse.query(
        "select unit_code, year, indicator, comparator, target, round(actual, 4) as actual,"
        " achieved, decision_number, target_level from fct_target_achievement")
    return {(r["unit_code"], r["year"], r["indicator"]):
            (r["comparator"], r["target"], r["actual"], r["achieved"], r["decision_number"],
             r["target_level"]) for r in rows}


def test_the_achievement_the_decisions_imply(warehouse: Warehouse) -> None:
    table = achievement(warehouse)
    reported = {key: row for key, row in table.items() if row[2] is not None}
    assert reported == {
        # 55/QĐ replaced 10/QĐ: THADS-04's own "từ 90" went with it, the type's "trên 86" applies
        ("THADS-04", 2024, "case_resolution_rate"):
            ("trên", 86.0, 90.0, True, "55/QĐ-TCTHADS", "unit_type"),
        # THADS-10's own "từ 86,67" overrides "trên 86": 2600/3000 = 86,6667% < 86,67
        ("THADS-10", 2024, "case_resolution_rate"):
            ("từ", 86.67, 86.6667, False, "55/QĐ-TCTHADS", "unit"),
        ("THADS-10", 2024, "money_resolution_rate"):
            ("trên", 60.0, 75.0, True, "55/QĐ-TCTHADS", "unit_type"),
        # the corrected mediation report: 102/120 = 85% exactly, "từ 85" reached
        ("STP-12", 2024, "success_rate"): ("từ", 85.0, 85.0, True, "7/QĐ-BTP", "unit_type"),
        ("STP-04", 2024, "success_rate"): ("từ", 85.0, 80.0, False, "7/QĐ-BTP", "unit_type"),
        ("THADS-15", 2025, "case_resolution_rate"):
            ("trên", 80.0, 87.5, True, "3/QĐ-CQLTHADS", "unit_type"),
    }
    # Every unit in scope has its targets; those that did not report have no verdict.
    expected_keys = (
        {(f"THADS-{p}", 2024, i) for p in CLUSTER_2024
         for i in ("case_resolution_rate", "money_resolution_rate")}
        | {(f"STP-{p}", 2024, "success_rate") for p in CLUSTER_2024}
        | {(f"THADS-{p}", 2025, "case_resolution_rate") for p in CLUSTER_2025}
        | {("THADS-15", 2025, "money_resolution_rate")})
    assert set(table) == expected_keys
    assert all(row[3] is None for key, row in table.items() if key not in reported)


def test_a_superseded_decision_is_history(warehouse: Warehouse) -> None:
    ranked = warehouse.query(
        "select decision_number, unit_type, decision_rank, is_in_force, ranking_basis"
        " from intermediate.int_target_decisions_ranked where year = 2024"
        " order by unit_type, decision_rank")
    assert [tuple(r.values()) for r in ranked] == [
        ("7/QĐ-BTP", "STP", 1, True, "decision_date"),
        ("55/QĐ-TCTHADS", "THADS", 1, True, "decision_date"),
        ("10/QĐ-TCTHADS", "THADS", 2, False, "decision_date"),
    ]
    # history, not a quality issue: GEN-04 is about units' reports
    assert warehouse.query(
        "select * from quality.dq_sql_violations where rule_id = 'GEN-04'"
        " and violation_key like '%chi_tieu%'") == []


def test_tgt01_flags_the_units_without_a_target(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select unit_code, year, form, values_json, context_json from quality.dq_sql_violations"
        " where rule_id = 'TGT-01' order by unit_code")
    assert [(r["unit_code"], r["year"], r["form"]) for r in rows] == [
        (f"THADS-{p}", 2025, "THADS_TIEN") for p in CLUSTER_2025 if p != "15"]
    assert all('"money_resolution_rate"' in r["values_json"] for r in rows)
    assert all("3/QĐ-CQLTHADS" in r["context_json"] for r in rows)


def test_lineage_to_the_decision_and_the_report(warehouse: Warehouse) -> None:
    row = warehouse.one(
        "select decision_source_file, target_source_cell, actual_source_file, unit_key,"
        " province_key, actual_numerator, actual_denominator, decision_date, issuer"
        " from fct_target_achievement where unit_code = 'THADS-10' and year = 2024"
        " and indicator = 'case_resolution_rate'")
    assert row["decision_source_file"] == "chi_tieu_2024_dieu_chinh.csv"
    assert row["target_source_cell"] == "line 4"
    assert row["actual_source_file"] == "thads_lao_cai_2024.xlsx"
    assert (row["actual_numerator"], row["actual_denominator"]) == (2600, 3000)
    assert str(row["decision_date"]) == "2024-06-20"
    # the keys of the dimension rows valid for the year: one row per fact in a join
    joined = warehouse.query(
        "select count(*) as n from fct_target_achievement join dim_unit using (unit_key)"
        " join dim_province using (province_key)")
    assert joined[0]["n"] == len(achievement(warehouse))
    assert warehouse.one(
        "select unit_key, province_key from fct_target_achievement where unit_code = 'THADS-15'"
        " and year = 2025 and indicator = 'case_resolution_rate'") == \
        {"unit_key": "THADS-15:2025-07-01", "province_key": "15:2025-07-01"}

"""The dbt project built on a real DuckDB file: the marts hold exactly the reported figures.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from tests.dbt.conftest import Warehouse, run_dbt

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")

MY_MODEL_FOLDERS = ("staging", "intermediate", "marts")


def manifest(warehouse: Warehouse) -> dict:
    return json.loads((warehouse.build.target_path / "manifest.json").read_text())


# --- the build itself ---------------------------------------------------------------------------


def test_build_succeeds_with_no_warnings(warehouse: Warehouse) -> None:
    build = warehouse.build
    assert build.result.exception is None
    assert build.errors == []
    assert build.warnings == []
    assert build.result.success
    statuses = {str(r.status) for r in build.result.result.results}
    assert statuses <= {"success", "pass"}, statuses


def test_unit_tests_ran(warehouse: Warehouse) -> None:
    unit_tests = {
        r.node.name for r in warehouse.build.result.result.results
        if r.node.resource_type == "unit_test"
    }
    assert {
        "test_winner_is_later_report_date_when_every_submission_is_dated",
        "test_winner_is_later_received_when_a_report_date_is_missing",
        "test_province_mapping_follows_successor_chain",
        "test_unit_total_is_total_row_else_sum_of_subunits",
        "test_success_rate_is_computed_from_counts",
        "test_enforcement_pivots_forms_and_computes_rates",
        "test_current_boundaries_sum_predecessors_and_recompute_rates",
    } <= unit_tests


def test_marts_land_in_main_and_layers_in_their_own_schemas(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select table_schema, table_name, table_type from information_schema.tables"
    )
    where = {r["table_name"]: (r["table_schema"], r["table_type"]) for r in rows}
    for mart in ("fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province",
                 "dim_unit", "dim_reporting_period", "rpt_cluster_year", "rejected_reports",
                 "fct_enforcement_current_boundaries"):
        assert where[mart] == ("main", "BASE TABLE"), mart
    assert where["stg_raw__submissions"][0] == "staging"
    assert where["int_submissions_ranked"][0] == "intermediate"
    assert where["ref_provinces"][0] == "reference"
    assert "dq_issues" not in where  # managed by Python, not dbt
    # An analyst needs no schema prefix for the marts.
    assert warehouse.query("select count(*) as n from fct_enforcement")[0]["n"] == 3


# --- winners and unit totals --------------------------------------------------------------------


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


# --- the facts ----------------------------------------------------------------------------------


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


# --- the 2025 mergers ---------------------------------------------------------------------------


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


# --- reports ------------------------------------------------------------------------------------


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


# --- contracts, documentation, Dagster ----------------------------------------------------------


def test_public_marts_enforce_their_contracts(warehouse: Warehouse) -> None:
    nodes = manifest(warehouse)["nodes"].values()
    marts = [n for n in nodes if n["resource_type"] == "model"
             and n["original_file_path"].startswith("models/marts/")]
    assert {n["name"] for n in marts} >= {
        "fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province", "dim_unit",
        "dim_reporting_period", "rpt_cluster_year", "rejected_reports",
        "fct_dissemination_current_boundaries", "fct_mediation_current_boundaries",
        "fct_enforcement_current_boundaries"}
    for node in marts:
        assert node["config"]["contract"]["enforced"], node["name"]
        declared = {c["name"]: c["data_type"].upper() for c in node["columns"].values()}
        actual = {
            r["column_name"]: r["data_type"] for r in warehouse.query(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'main' and table_name = ?", [node["name"]])
        }
        assert actual == declared, node["name"]
    # The constraints are real DuckDB constraints, not only documentation.
    constraints = warehouse.query(
        "select constraint_type, constraint_column_names from duckdb_constraints()"
        " where table_name = 'fct_enforcement'"
    )
    assert {"constraint_type": "PRIMARY KEY",
            "constraint_column_names": ["province_code", "year"]} in constraints


def test_every_column_of_my_models_is_documented(warehouse: Warehouse) -> None:
    nodes = manifest(warehouse)["nodes"].values()
    models = [n for n in nodes if n["resource_type"] == "model"
              and n["original_file_path"].split("/")[1] in MY_MODEL_FOLDERS]
    assert len(models) >= 30
    built = defaultdict(set)
    for row in warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns"
    ):
        built[(row["table_schema"], row["table_name"])].add(row["column_name"])
    for node in models:
        assert node["description"].strip(), node["name"]
        actual = built[(node["schema"], node["name"])]
        assert actual, node["name"]
        documented = {name: c["description"] for name, c in node["columns"].items()}
        assert actual == set(documented), node["name"]
        undocumented = [c for c, d in documented.items() if not d.strip()]
        assert undocumented == [], node["name"]


def test_docs_generate(warehouse: Warehouse) -> None:
    """`make docs` works on a built warehouse (reusing the build's parse, as make would)."""
    docs = run_dbt(["docs", "generate"], warehouse.db_path, warehouse.build.target_path.parent)
    assert docs.result.success, docs.errors
    assert docs.warnings == []
    catalog = json.loads((docs.target_path / "catalog.json").read_text())
    assert "model.tuphap.fct_enforcement" in catalog["nodes"]

"""Every rule of quality-rules.md on real dbt builds of real DuckDB files, evaluated the way a
load does: the Great Expectations suites on the row-input models, plus the SQL rules' model.

The datasets (tests/quality/dataset.py) plant one violation per rule id (two for ENF-09 and
DIS-01) in an otherwise consistent load; a consistent load must produce no violation at all.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from expectations.rules import RULES, RULES_BY_ID, Violation
from expectations.runner import run_row_rules
from orchestration.quality.evaluate import evaluate_rules, read_row_inputs, read_sql_violations
from orchestration.quality.issues import list_issues, merge_violations, violation_fingerprint
from orchestration.quality.messages import render_message
from orchestration.warehouse.duckdb import DuckDBConnection
from tests.quality.conftest import WarehouseCopy, run_dbt
from tests.quality.dataset import (
    EXPECTED_VIOLATIONS,
    Dataset,
    clean_dataset,
    enforcement_figures,
    figures_of,
    violations_dataset,
)

# Share one xdist worker (and its dbt builds) when run with --dist loadgroup.
pytestmark = pytest.mark.xdist_group("tuphap_quality_dbt")


def evaluate(path: Path) -> list[Violation]:
    con = DuckDBConnection.open(path)
    try:
        row_inputs = read_row_inputs(con)
        sql = read_sql_violations(con)
    finally:
        con.close()
    return evaluate_rules(row_inputs, sql)


def keyed(violations: list[Violation]) -> dict[tuple[str, str, int, str | None], Violation]:
    out = {(v.rule_id, v.unit_code, v.year, v.form): v for v in violations}
    assert len(out) == len(violations), "one violation per rule, unit, year and form"
    return out


@pytest.fixture(scope="module")
def clean_found(clean_warehouse: Path) -> list[Violation]:
    return evaluate(clean_warehouse)


@pytest.fixture(scope="module")
def planted(violations_warehouse: Path) -> dict[tuple[str, str, int, str | None], Violation]:
    return keyed(evaluate(violations_warehouse))


def test_a_consistent_load_has_no_violation(clean_found: list[Violation]) -> None:
    assert clean_found == []


def test_every_planted_violation_and_nothing_else(planted: dict) -> None:
    assert set(planted) == EXPECTED_VIOLATIONS
    assert {key[0] for key in planted} == set(RULES_BY_ID)  # every rule is exercised
    for (rule_id, *_), v in planted.items():
        assert v.severity == RULES_BY_ID[rule_id].severity


def test_sql_models_grade_as_the_catalogue(violations_warehouse: Path) -> None:
    con = DuckDBConnection.open(violations_warehouse)
    try:
        graded = con.execute(
            "select distinct rule_id, severity from quality.dq_sql_violations").fetchall()
    finally:
        con.close()
    assert graded and all(RULES_BY_ID[r].severity == s for r, s in graded)


def test_the_spec_example_message(planted: dict) -> None:
    v = planted[("ENF-05", "THADS-10", 2024, "THADS_VIEC")]
    assert v.values == {"resolved": 3569, "eligible": 3500}
    assert v.province_code == "10"
    assert render_message(v) == (
        "Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc > có điều kiện 3.500 việc")


def test_row_rule_operands(planted: dict) -> None:
    dataset = violations_dataset()
    enf01 = planted[("ENF-01", "THADS-20", 2022, "THADS_VIEC")]
    figures = figures_of(dataset, "THADS-20", 2022, "THADS_VIEC")
    assert enf01.values == {k: figures[k] for k in ("accepted", "carried_over", "new")}
    assert enf01.values["accepted"] == enf01.values["carried_over"] + enf01.values["new"] - 7
    enf02 = planted[("ENF-02", "THADS-12", 2022, "THADS_TIEN")]
    assert "nghìn đồng" in render_message(enf02)
    enf06 = planted[("ENF-06", "THADS-14", 2025, "THADS_TIEN")]
    assert enf06.values["to_enforce"] == enf06.values["accepted"] + 50
    assert "tổng số phải thi hành" in render_message(enf06)
    dis_below = planted[("DIS-01", "STP-02", 2023, "PBGDPL")]
    assert dis_below.values["attendees"] == dis_below.values["sessions"] - 1
    assert " < số cuộc phổ biến " in render_message(dis_below)
    dis_above = planted[("DIS-01", "STP-04", 2024, "PBGDPL")]
    assert " > 1.000 × số cuộc phổ biến " in render_message(dis_above)


def test_rate_precision(planted: dict, violations_warehouse: Path) -> None:
    # 2.754 / 3.247 = 84,817...%: "85" (0 decimals, STP-10) passes, "85,00" (STP-11) fails;
    # "84,82" passes in the consistent load (test_a_consistent_load_has_no_violation).
    med03 = planted[("MED-03", "STP-11", 2022, "HOAGIAI")]
    assert med03.values == {"reported_success_rate": 85, "reported_success_rate_decimals": 2,
                            "cases_successful": 2754, "cases_received": 3247}
    assert "tỷ lệ hòa giải thành báo cáo 85,00% ≠ tính lại 84,82%" in render_message(med03)
    assert ("MED-03", "STP-10", 2022, "HOAGIAI") not in planted
    enf08 = planted[("ENF-08", "THADS-12", 2023, "THADS_VIEC")]
    assert "báo cáo 90,00% ≠ tính lại" in render_message(enf08)
    con = DuckDBConnection.open(violations_warehouse)
    try:
        diffs = dict(con.execute(
            "select unit_code, med03_diff from quality.dq_mediation_row_inputs"
            " where year = 2022 and unit_code in ('STP-10', 'STP-11')").fetchall())
        # THADS-11 prints 1 decimal, THADS-04 none, THADS-14 no rate at all (skipped)
        enf = {(u, f): d for u, f, d in con.execute(
            "select unit_code, form, enf08_diff from quality.dq_enforcement_row_inputs"
            " where year = 2021 and unit_code in ('THADS-04', 'THADS-11', 'THADS-14')"
        ).fetchall()}
    finally:
        con.close()
    assert diffs == {"STP-10": 0, "STP-11": 18}  # 85,00 vs 84,82: 18 hundredths
    assert enf[("THADS-04", "THADS_VIEC")] == 0 and enf[("THADS-11", "THADS_TIEN")] == 0
    assert enf[("THADS-14", "THADS_VIEC")] is None


def test_unreported_operands_skip_the_rule(planted: dict, clean_warehouse: Path) -> None:
    # THADS-14 2025 THADS_TIEN left entrusted and revoked empty: ENF-02 is skipped, ENF-06 runs.
    assert ("ENF-02", "THADS-14", 2025, "THADS_TIEN") not in planted
    # STP-20 2024 left unsuccessful/pending empty: MED-01 skipped, MED-02 runs.
    assert ("MED-01", "STP-20", 2024, "HOAGIAI") not in planted
    assert ("MED-02", "STP-20", 2024, "HOAGIAI") in planted
    con = DuckDBConnection.open(clean_warehouse)
    try:
        row = con.execute(
            "select entrusted, enf01_diff, enf02_diff from quality.dq_enforcement_row_inputs"
            " where unit_code = 'THADS-20' and year = 2021 and form = 'THADS_VIEC'").fetchone()
    finally:
        con.close()
    assert row == (None, 0, None)


def test_gx_skips_missing_operands_and_flags_the_rest() -> None:
    frame = pd.DataFrame({
        "unit_code": ["STP-01", "STP-02", "STP-03", "STP-04"], "province_code": ["01"] * 4,
        "unit_display_name": ["A", "B", "C", "D"], "year": [2024] * 4, "form": ["PBGDPL"] * 4,
        "sessions": [10, None, 10, 10], "attendees": [5, 5, None, 10001],
        "dis01_upper_excess": [5 - 10000, None, None, 1],
    })
    frame["sessions"] = frame["sessions"].astype("Int64")
    found = run_row_rules({"dissemination": frame})
    assert [(v.rule_id, v.unit_code) for v in found] == [("DIS-01", "STP-01"),
                                                         ("DIS-01", "STP-04")]
    assert found[0].values == {"sessions": 10, "attendees": 5}


def test_enf09_across_the_2025_merger(planted: dict, clean_found: list[Violation]) -> None:
    dataset = violations_dataset()
    lao_cai_2024 = figures_of(dataset, "THADS-10", 2024, "THADS_VIEC")["carried_forward"]
    yen_bai_2024 = figures_of(dataset, "THADS-15", 2024, "THADS_VIEC")["carried_forward"]
    lao_cai_2025 = figures_of(dataset, "THADS-15", 2025, "THADS_VIEC")["carried_over"]
    v = planted[("ENF-09", "THADS-15", 2025, "THADS_VIEC")]
    assert v.values == {
        "carried_over": lao_cai_2025, "expected": lao_cai_2024 + yen_bai_2024,
        "predecessors": [{"unit_code": "THADS-10", "carried_forward": lao_cai_2024},
                         {"unit_code": "THADS-15", "carried_forward": yen_bai_2024}]}
    assert v.unit_name == "THADS tỉnh Lào Cai"
    assert "của các đơn vị trước sáp nhập" in render_message(v)
    assert "Cục THADS tỉnh Lào Cai" in render_message(v)
    assert "Cục THADS tỉnh Yên Bái" in render_message(v)
    # Yên Bái sent no THADS_TIEN report for 2024: skipped. Tuyên Quang 08 = Hà Giang 02 +
    # Tuyên Quang 08: checked, and it agrees. Without Yên Bái's report at all (the consistent
    # load), Lào Cai's continuity is skipped even though it differs from Lào Cai 10 alone.
    assert ("ENF-09", "THADS-15", 2025, "THADS_TIEN") not in planted
    assert ("ENF-09", "THADS-08", 2025, "THADS_VIEC") not in planted
    assert not [c for c in clean_found if c.rule_id == "ENF-09"]
    # plain continuity (no merger)
    cao_bang = planted[("ENF-09", "THADS-04", 2024, "THADS_TIEN")]
    assert cao_bang.values["carried_over"] == cao_bang.values["expected"] + 500
    assert "chuyển kỳ sau năm 2023" in render_message(cao_bang)


def test_gen03_quiet_on_steady_trends_firing_on_a_typo(planted: dict) -> None:
    dataset = violations_dataset()
    grows = [figures_of(dataset, "THADS-04", y, "THADS_VIEC")["accepted"]
             for y in range(2021, 2026)]
    shrinks = [figures_of(clean_dataset(), "STP-11", y, "HOAGIAI")["cases_received"]
               for y in range(2021, 2026)]
    assert grows[-1] / grows[0] > 1.6
    assert all(b > a for a, b in zip(grows, grows[1:], strict=False))
    assert shrinks[-1] / shrinks[0] < 0.6
    assert all(b < a for a, b in zip(shrinks, shrinks[1:], strict=False))
    gen03 = [key for key in planted if key[0] == "GEN-03"]
    assert gen03 == [("GEN-03", "STP-20", 2023, "PBGDPL")]
    v = planted[gen03[0]]
    assert v.values["indicator"] == "sessions"
    assert v.context["other_years"] == 4
    assert v.values["value"] > 9 * v.context["median"]
    assert "số cuộc phổ biến" in render_message(v) and "gấp" in render_message(v)


def test_gen02_and_gen04(planted: dict) -> None:
    gen02 = planted[("GEN-02", "STP-12", 2024, "PBGDPL")]
    assert gen02.values["indicator"] == "sessions"
    assert gen02.values["reported_total"] - gen02.values["subunit_sum"] == 10
    gen04 = planted[("GEN-04", "STP-11", 2023, "HOAGIAI")]
    assert [c["indicator"] for c in gen04.values["changes"]] == ["cases_received",
                                                                 "cases_successful"]
    assert all(c["old"] - c["new"] == 20 for c in gen04.values["changes"])
    assert "“STP-11_2023_so_bo.xlsx” đã được thay thế" in render_message(gen04)
    # the identical official report of STP-04 2023 is no GEN-04
    assert not [k for k in planted if k[0] == "GEN-04" and k[1] == "STP-04"]


def test_gen01_scope_and_years(planted: dict, clean_warehouse: Path,
                               warehouse_copy: WarehouseCopy) -> None:
    gen01 = planted[("GEN-01", "THADS-20", 2023, "THADS_TIEN")]
    assert render_message(gen01) == ("Cục THADS tỉnh Lạng Sơn, năm 2023: chưa có báo cáo biểu"
                                     " THADS_TIEN (thi hành án dân sự theo tiền)")
    db = warehouse_copy(clean_warehouse)
    work = db.parent
    # Who is in scope is modelled once (int_units_in_scope, also for the targets); a load
    # whose scope changed rebuilds everything.
    select = ["run", "--select", "int_units_in_scope", "dq_gen01_completeness",
              "dq_sql_violations"]

    def missing() -> Counter:
        con = DuckDBConnection.open(db)
        try:
            return Counter(y for (y,) in con.execute(
                "select year from quality.dq_sql_violations where rule_id = 'GEN-01'"
            ).fetchall())
        finally:
            con.close()

    # national scope: every unit valid that year (63 provinces, 34 from mid-2025) x 2 forms
    run_dbt(db, work, select, {"tuphap_scope": "national"})
    assert missing() == {2021: 63 * 4 - 28, 2022: 63 * 4 - 28, 2023: 63 * 4 - 28,
                         2024: 63 * 4 - 28, 2025: 34 * 4 - 28}
    # an explicit year range: 2020 is expected too, and nobody reported it
    run_dbt(db, work, select, {"tuphap_scope": "cluster", "tuphap_years": "2020-2025"})
    assert missing() == {2020: 28}
    con = DuckDBConnection.open(db)
    try:
        units = {u for (u,) in con.execute(
            "select unit_code from quality.dq_gen01_completeness").fetchall()}
    finally:
        con.close()
    assert units == {f"{t}-{p}" for t in ("STP", "THADS")
                     for p in ("02", "04", "10", "11", "12", "14", "20")}
    with pytest.raises(AssertionError, match="tuphap_scope"):
        run_dbt(db, work, select, {"tuphap_scope": "regional"})
    with pytest.raises(AssertionError, match="tuphap_years"):
        run_dbt(db, work, select, {"tuphap_years": "last year"})


def test_fingerprints_are_stable_across_evaluations(violations_warehouse: Path,
                                                    planted: dict) -> None:
    again = keyed(evaluate(violations_warehouse))
    assert {k: violation_fingerprint(v) for k, v in again.items()} == \
        {k: violation_fingerprint(v) for k, v in planted.items()}


def test_a_correction_resolves_and_a_resubmission_is_tracked(
        violations_warehouse: Path, warehouse_copy: WarehouseCopy) -> None:
    """Lào Cai resends its 2024 THADS_VIEC report with consistent figures."""
    db = warehouse_copy(violations_warehouse)
    t0 = datetime(2025, 2, 1, tzinfo=UTC)
    con = DuckDBConnection.open(db)
    try:
        first = merge_violations(con, evaluate_rules(read_row_inputs(con),
                                                     read_sql_violations(con)), now=t0)
        assert len(first.new) == len(EXPECTED_VIOLATIONS)
    finally:
        con.close()

    corrected = Dataset()
    figures = enforcement_figures(
        figures_of(violations_dataset(), "THADS-10", 2024, "THADS_VIEC")["carried_over"],
        figures_of(violations_dataset(), "THADS-10", 2024, "THADS_VIEC")["new"], "10")
    corrected.add("THADS-10", 2024, "THADS_VIEC", figures, file="THADS-10_2024_sua.xlsx",
                  received_at=t0 + timedelta(days=1))
    corrected.write(db)  # appends to the existing raw tables
    # Not rpt_submissions: the fixture built only the staging views the quality rules read.
    run_dbt(db, db.parent, ["build", "--select", "path:models/intermediate+", "--exclude",
                            "rpt_submissions", "--exclude-resource-type", "test"])

    con = DuckDBConnection.open(db)
    try:
        second = merge_violations(con, evaluate_rules(read_row_inputs(con),
                                                      read_sql_violations(con)),
                                  now=t0 + timedelta(days=1))
        history = list_issues(con, status=None)
    finally:
        con.close()
    rows = {(r["rule_id"], r["unit_code"], r["year"], r["form"], r["status"]): r
            for r in history}
    enf05 = rows[("ENF-05", "THADS-10", 2024, "THADS_VIEC", "resolved")]
    assert enf05["resolved_at"] == t0 + timedelta(days=1)
    # the superseded report now differs from the winner: GEN-04, new
    gen04 = rows[("GEN-04", "THADS-10", 2024, "THADS_VIEC", "open")]
    assert gen04["first_seen_at"] == t0 + timedelta(days=1)
    # Lào Cai's carried_forward changed, so the merger's ENF-09 has new operands: a new
    # fingerprint replaces the old one
    enf09 = [r for r in history if r["rule_id"] == "ENF-09" and r["unit_code"] == "THADS-15"]
    assert sorted(r["status"] for r in enf09) == ["open", "resolved"]
    assert len(second.resolved) == 2 and len(second.new) == 2
    untouched = rows[("DIS-01", "STP-02", 2023, "PBGDPL", "open")]
    assert untouched["first_seen_at"] == t0
    assert json.loads(untouched["values"])["attendees"] == \
        json.loads(untouched["values"])["sessions"] - 1


def test_every_rule_has_a_planted_case() -> None:
    assert {r.id for r in RULES} == {key[0] for key in EXPECTED_VIOLATIONS}


def test_gx_handles_all_null_and_empty_frames() -> None:
    frame = pd.DataFrame({
        "unit_code": ["THADS-04"], "province_code": ["04"], "unit_display_name": [None],
        "year": [2024], "form": ["THADS_TIEN"], "submission_id": ["x"],
        "eligible": [None], "resolved": [None], "to_enforce": [None], "accepted": [None],
        **{c: [None] for c in ("enf01_diff", "enf02_diff", "enf03_diff", "enf04_diff",
                               "enf07_diff", "enf08_diff")},
        "carried_over": [1], "new": [2], "entrusted": [None], "revoked": [None],
        "not_eligible": [None], "completed": [None], "terminated": [None],
        "carried_forward": [None], "reported_resolution_rate": [None],
        "reported_resolution_rate_decimals": [None],
    })
    assert run_row_rules({"enforcement": frame, "mediation": pd.DataFrame()}) == []

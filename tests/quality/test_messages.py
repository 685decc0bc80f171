"""Vietnamese issue messages (orchestration/quality/messages.py) and the rule catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from expectations.rules import RULES, RULES_BY_ID, Violation
from orchestration.quality.messages import quantity, render_message


def violation(rule_id: str, values: dict[str, Any], *, unit: str = "THADS-10",
              name: str | None = "Cục THADS tỉnh Lào Cai", year: int = 2024,
              form: str | None = "THADS_VIEC", context: dict[str, Any] | None = None
              ) -> Violation:
    return Violation(rule_id, RULES_BY_ID[rule_id].severity, form, unit, unit[-2:], year, values,
                     name, context or {})


def test_catalogue_matches_the_spec() -> None:
    expected = {
        "ENF-01": "error", "ENF-02": "error", "ENF-03": "error", "ENF-04": "error",
        "ENF-05": "error", "ENF-06": "error", "ENF-07": "error", "ENF-08": "warn",
        "ENF-09": "warn", "MED-01": "error", "MED-02": "error", "MED-03": "warn",
        "DIS-01": "warn", "GEN-01": "error", "GEN-02": "error", "GEN-03": "warn",
        "GEN-04": "warn", "TGT-01": "warn",
    }
    assert {r.id: r.severity for r in RULES} == expected
    assert all(r.check_name.replace("_", "").isalnum() for r in RULES)
    for r in RULES:
        if r.kind == "row":
            assert r.dataset and r.operands and r.checks, r.id
        else:
            assert r.model, r.id
    assert set(RULES_BY_ID["ENF-01"].forms) == {"THADS_VIEC", "THADS_TIEN"}


def test_the_spec_example() -> None:
    v = violation("ENF-05", {"resolved": 3569, "eligible": 3500})
    assert render_message(v) == (
        "Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc > có điều kiện 3.500 việc"
    )


def test_money_is_in_thousand_dong() -> None:
    v = violation("ENF-01", {"accepted": 1826513, "carried_over": 826000, "new": 1000000},
                  form="THADS_TIEN")
    assert render_message(v) == (
        "Cục THADS tỉnh Lào Cai, năm 2024: tổng số thụ lý 1.826.513 nghìn đồng"
        " ≠ năm trước chuyển sang 826.000 nghìn đồng + thụ lý mới 1.000.000 nghìn đồng"
        " (= 1.826.000 nghìn đồng)"
    )


def test_rate_messages_use_the_reported_precision() -> None:
    v = violation("ENF-08", {"reported_resolution_rate": 90.0,
                             "reported_resolution_rate_decimals": 2,
                             "resolved": 21698, "eligible": 24196})
    assert render_message(v) == (
        "Cục THADS tỉnh Lào Cai, năm 2024: tỷ lệ giải quyết xong báo cáo 90,00% ≠ tính lại"
        " 89,68% (giải quyết xong 21.698 việc / có điều kiện 24.196 việc)"
    )
    m = violation("MED-03", {"reported_success_rate": 80, "reported_success_rate_decimals": 0,
                             "cases_successful": 2754, "cases_received": 3247},
                  unit="STP-10", name="Sở Tư pháp tỉnh Lào Cai", form="HOAGIAI", year=2022)
    assert render_message(m) == (
        "Sở Tư pháp tỉnh Lào Cai, năm 2022: tỷ lệ hòa giải thành báo cáo 80% ≠ tính lại 85%"
        " (hòa giải thành 2.754 vụ, việc / tiếp nhận 3.247 vụ, việc)"
    )


def test_enf06_names_the_broken_side() -> None:
    above = violation("ENF-06", {"eligible": 100, "to_enforce": 150, "accepted": 120})
    assert render_message(above).endswith(
        "tổng số phải thi hành 150 việc > tổng số thụ lý 120 việc")
    both = violation("ENF-06", {"eligible": 200, "to_enforce": 150, "accepted": 120})
    assert render_message(both).endswith(
        "có điều kiện 200 việc > tổng số phải thi hành 150 việc;"
        " tổng số phải thi hành 150 việc > tổng số thụ lý 120 việc")


def test_enf09_across_the_merger_lists_the_predecessors() -> None:
    v = violation(
        "ENF-09",
        {"carried_over": 15, "expected": 25,
         "predecessors": [{"unit_code": "THADS-10", "carried_forward": 10},
                          {"unit_code": "THADS-15", "carried_forward": 15}]},
        unit="THADS-15", name="THADS tỉnh Lào Cai", year=2025,
        context={"previous_year": 2024, "merger": True, "predecessors": [
            {"unit_code": "THADS-10", "unit_name": "Cục THADS tỉnh Lào Cai"},
            {"unit_code": "THADS-15", "unit_name": "Cục THADS tỉnh Yên Bái"}]},
    )
    assert render_message(v) == (
        "THADS tỉnh Lào Cai, năm 2025: năm trước chuyển sang 15 việc ≠ tổng chuyển kỳ sau năm"
        " 2024 của các đơn vị trước sáp nhập 25 việc (Cục THADS tỉnh Lào Cai 10 việc"
        " + Cục THADS tỉnh Yên Bái 15 việc)"
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"sessions": 120, "attendees": 100},
         "số lượt người tham dự 100 lượt người < số cuộc phổ biến 120 cuộc"),
        ({"sessions": 12, "attendees": 12001},
         "số lượt người tham dự 12.001 lượt người > 1.000 × số cuộc phổ biến 12 cuộc"
         " (= 12.000 lượt người)"),
    ],
)
def test_dis01(values: dict[str, int], expected: str) -> None:
    v = violation("DIS-01", values, unit="STP-02", name="Sở Tư pháp tỉnh Hà Giang",
                  form="PBGDPL", year=2023)
    assert render_message(v) == f"Sở Tư pháp tỉnh Hà Giang, năm 2023: {expected}"


def test_general_rules() -> None:
    gen01 = violation("GEN-01", {"reports_received": 0}, unit="THADS-20",
                      name="Cục THADS tỉnh Lạng Sơn", year=2023, form="THADS_TIEN")
    assert render_message(gen01) == (
        "Cục THADS tỉnh Lạng Sơn, năm 2023: chưa có báo cáo biểu THADS_TIEN"
        " (thi hành án dân sự theo tiền)")
    gen02 = violation("GEN-02", {"indicator": "sessions", "reported_total": 2500,
                                 "subunit_sum": 2490.0},
                      unit="STP-12", name="Sở Tư pháp tỉnh Lai Châu", form="PBGDPL",
                      context={"subunit_count": 2})
    assert render_message(gen02) == (
        "Sở Tư pháp tỉnh Lai Châu, năm 2024: biểu PBGDPL, chỉ tiêu “số cuộc phổ biến”:"
        " dòng tổng cộng 2.500 cuộc ≠ tổng 2 đơn vị trực thuộc 2.490 cuộc")
    gen03 = violation("GEN-03", {"indicator": "sessions", "value": 27445},
                      unit="STP-20", name="Sở Tư pháp tỉnh Lạng Sơn", form="PBGDPL", year=2023,
                      context={"median": 2745.5, "other_years": 4})
    assert render_message(gen03) == (
        "Sở Tư pháp tỉnh Lạng Sơn, năm 2023: biểu PBGDPL, số cuộc phổ biến 27.445 cuộc gấp"
        " 10,0 lần trung vị 4 năm khác (2.745,5 cuộc)")
    low = violation("GEN-03", {"indicator": "eligible", "value": 30},
                    context={"median": 3000, "other_years": 3})
    assert "có điều kiện 30 việc chỉ bằng 0,01 lần trung vị 3 năm khác (3.000 việc)" in \
        render_message(low)
    gen04 = violation(
        "GEN-04",
        {"superseded_sha256": "aa", "winning_sha256": "bb", "changes": [
            {"indicator": "cases_received", "old": 2845.0, "new": 2825.0},
            {"indicator": "success_rate", "old": 85.0, "new": None}]},
        unit="STP-11", name="Sở Tư pháp tỉnh Điện Biên", form="HOAGIAI", year=2023,
        context={"loser_file": "so_bo.xlsx", "winner_file": "chinh_thuc.xlsx"})
    assert render_message(gen04) == (
        "Sở Tư pháp tỉnh Điện Biên, năm 2023: biểu HOAGIAI: báo cáo “so_bo.xlsx” đã được thay"
        " thế bằng “chinh_thuc.xlsx” với số liệu khác: tổng số vụ, việc tiếp nhận 2.845 →"
        " 2.825 vụ, việc; tỷ lệ hòa giải thành 85,00% → (trống)")


def test_tgt01_names_the_indicator_and_the_decision_in_force() -> None:
    tgt01 = violation("TGT-01", {"indicator": "money_resolution_rate"}, unit="THADS-12",
                      name="Cục THADS tỉnh Lai Châu", year=2022, form="THADS_TIEN",
                      context={"decision_number": "55/QĐ-TCTHADS",
                               "decision_date": "2022-06-20", "source_file": "qd.xlsx"})
    assert render_message(tgt01) == (
        "Cục THADS tỉnh Lai Châu, năm 2022: chưa có chỉ tiêu tỷ lệ giải quyết xong về tiền"
        " trong quyết định giao chỉ tiêu số 55/QĐ-TCTHADS ngày 20/06/2022")
    only_stp = violation("TGT-01", {"indicator": "case_resolution_rate"}, year=2024,
                         context={"decision_number": None})
    assert render_message(only_stp) == (
        "Cục THADS tỉnh Lào Cai, năm 2024: chưa có chỉ tiêu tỷ lệ giải quyết xong về việc:"
        " quyết định giao chỉ tiêu năm 2024 đã nạp không có chỉ tiêu cho cơ quan thi hành án"
        " dân sự")


def test_unit_code_stands_in_for_a_missing_name_and_bad_values_still_give_a_message() -> None:
    v = violation("ENF-05", {"resolved": 3569, "eligible": 3500}, name=None)
    assert render_message(v).startswith("THADS-10, năm 2024: ")
    broken = violation("GEN-03", {"indicator": "sessions", "value": 5}, context={})
    assert render_message(broken).startswith("Cục THADS tỉnh Lào Cai, năm 2024: số liệu bất")


def test_quantity_units() -> None:
    assert quantity(27430, "PBGDPL", "sessions") == "27.430 cuộc"
    assert quantity(1826513, "PBGDPL", "attendees") == "1.826.513 lượt người"
    assert quantity(5, "HOAGIAI", "teams") == "5 tổ"
    assert quantity(None, "THADS_VIEC") == "(trống) việc"

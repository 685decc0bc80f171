"""Targets decisions (report-format.md, "Targets"): the CHITIEU workbook and the long CSV read
into a decision, and every malformed decision rejected whole, naming the cell or line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ingest.model import ParseResult, TargetDecision, TargetRow
from tests.ingest.builders import (
    TARGETS_CSV_HEADER,
    report_grid,
    targets_csv_lines,
    targets_grid,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)
from tests.ingest.test_rejections import reject

Parse = Callable[..., ParseResult]

# The 2022 decision as domain.md quotes it, and two units given their own values.
ROWS_2022 = [
    ("THADS", "case_resolution_rate", "trên", "81,50"),
    ("THADS", "money_resolution_rate", "Trên", "40,10%"),
    ("THADS-10", "case_resolution_rate", "từ ... trở lên", 88),
    ("Cục THADS tỉnh Sơn La", "money_resolution_rate", ">", 55.25),
]
EXPECTED_2022 = (
    TargetRow("THADS", "THADS", "case_resolution_rate", "trên", 81.5, 2, "CHITIEU!D10"),
    TargetRow("THADS", "THADS", "money_resolution_rate", "trên", 40.1, 2, "CHITIEU!D11"),
    TargetRow("THADS-10", "THADS", "case_resolution_rate", "từ", 88.0, 0, "CHITIEU!D12"),
    TargetRow("THADS-14", "THADS", "money_resolution_rate", "trên", 55.25, 2, "CHITIEU!D13"),
)


def decision_of(result: ParseResult) -> TargetDecision:
    assert result.rejection is None, result.rejection
    assert result.submissions == ()
    (decision,) = result.decisions
    return decision


def test_workbook_decision(tmp_path: Path, parse: Parse) -> None:
    notes = [["Ghi chú: bảng chỉ tiêu theo Quyết định số 123/QĐ-TCTHADS"]]
    path = write_xlsx(tmp_path / "qd.xlsx", {"Hướng dẫn": notes,
                                              "CHITIEU": targets_grid(ROWS_2022)})
    result = parse(path)
    decision = decision_of(result)
    assert decision == TargetDecision("123/QĐ-TCTHADS", date(2022, 1, 15),
                                      "Tổng cục Thi hành án dân sự", 2022, "CHITIEU",
                                      EXPECTED_2022)
    assert result.years == (2022,)
    assert decision.rows[0].is_type_wide and not decision.rows[2].is_type_wide
    assert any("Hướng dẫn" in note for note in result.warnings)


@pytest.mark.parametrize("writer", [write_ods, write_xls], ids=["ods", "xls"])
def test_ods_and_xls_decisions_read_the_same(tmp_path: Path, parse: Parse,
                                              writer: Callable[..., Path]) -> None:
    sheets = {"Biểu CHITIEU": targets_grid(ROWS_2022)}
    path = writer(tmp_path / f"qd.{writer.__name__[-3:]}", sheets)
    decision = decision_of(parse(path))
    assert [(r.unit, r.indicator, r.comparator, r.value, r.decimals) for r in decision.rows] == \
        [(r.unit, r.indicator, r.comparator, r.value, r.decimals) for r in EXPECTED_2022]
    assert decision.decision_date == date(2022, 1, 15)


def test_csv_decision_semicolon_windows_1258(tmp_path: Path, parse: Parse) -> None:
    lines = targets_csv_lines(ROWS_2022[:3], decision_date="")
    path = write_csv(tmp_path / "qd.csv", lines, header=TARGETS_CSV_HEADER, delimiter=";",
                     encoding="cp1258")
    result = parse(path)
    decision = decision_of(result)
    assert decision.decision_date is None and decision.sheet_name is None
    assert [(r.unit, r.comparator, r.value, r.source_cell) for r in decision.rows] == [
        ("THADS", "trên", 81.5, "line 2"), ("THADS", "trên", 40.1, "line 3"),
        ("THADS-10", "từ", 88.0, "line 4")]
    assert "CSV decoded as cp1258" in result.warnings


def test_csv_carries_one_decision_per_year(tmp_path: Path, parse: Parse) -> None:
    lines = (targets_csv_lines([("THADS", "case_resolution_rate", "trên", "80")], year=2021,
                               decision_number="9/QĐ-TCTHADS", decision_date="10/01/2021")
             + targets_csv_lines(ROWS_2022[:2]))
    path = write_csv(tmp_path / "qd.csv", lines, header=TARGETS_CSV_HEADER, bom=True)
    result = parse(path)
    assert [(d.year, d.decision_number, len(d.rows)) for d in result.decisions] == [
        (2021, "9/QĐ-TCTHADS", 1), (2022, "123/QĐ-TCTHADS", 2)]
    assert result.years == (2021, 2022)


def test_2025_decision_names_the_successors(tmp_path: Path, parse: Parse) -> None:
    rows = [("THADS-15", "case_resolution_rate", "trên", "85"),
            ("THADS-08", "case_resolution_rate", "trên", "84"),
            ("STP", "success_rate", "từ", "80")]
    path = write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(rows, year=2025)})
    assert [(r.unit, r.unit_type) for r in decision_of(parse(path)).rows] == [
        ("THADS-15", "THADS"), ("THADS-08", "THADS"), ("STP", "STP")]
    merged = write_xlsx(tmp_path / "cu.xlsx", {"CHITIEU": targets_grid(
        [("THADS-10", "case_resolution_rate", "trên", "85")], year=2025)})
    assert reject(parse, merged, "unit_unknown") == (
        'Tệp "cu.xlsx", biểu CHITIEU, ô A10: mã đơn vị "THADS-10" không còn hiệu lực năm 2025: '
        "tỉnh Lào Cai (mã 10) đã hợp nhất vào tỉnh Lào Cai (mã 15) từ ngày 01/07/2025; năm 2025 "
        'quyết định giao chỉ tiêu phải ghi "Thi hành án dân sự tỉnh Lào Cai", mã THADS-15.')


def test_units_outside_the_cluster_are_accepted(tmp_path: Path, parse: Parse) -> None:
    """Scope is the warehouse's business: a national decision names every province's unit."""
    rows = [("THADS-01", "case_resolution_rate", "trên", "80")]
    path = write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(rows)})
    assert decision_of(parse(path, scope="cluster")).rows[0].unit == "THADS-01"


def test_a_heading_row_is_noted_not_read(tmp_path: Path, parse: Parse) -> None:
    rows = [("I. Cục Thi hành án dân sự các tỉnh", None, None, None), *ROWS_2022[:1]]
    result = parse(write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(rows)}))
    assert len(decision_of(result).rows) == 1
    assert any("row 10" in note and "heading" in note for note in result.warnings)


ONE = [("THADS", "case_resolution_rate", "trên", "81,5")]


@pytest.mark.parametrize(("rows", "meta", "code", "expected"), [
    (ONE, {"year": None}, "year_missing",
     'biểu CHITIEU: thiếu dòng "Năm" (năm giao chỉ tiêu) phía trên bảng chỉ tiêu.'),
    (ONE, {"year": "năm nay"}, "year_invalid",
     'biểu CHITIEU, ô C6: năm giao chỉ tiêu "năm nay" không đọc được; hãy ghi năm dạng số, ví dụ '
     "2022."),
    (ONE, {"decision_number": None}, "decision_number_missing",
     'biểu CHITIEU: thiếu "Số quyết định" phía trên bảng chỉ tiêu (ví dụ 1234/QĐ-TCTHADS).'),
    (ONE, {"decision_date": "31/02/2022"}, "bad_date",
     'biểu CHITIEU, ô C5: ngày quyết định "31/02/2022" không có thật (ghi theo thứ tự '
     "ngày/tháng/năm)."),
    ([("THADS-99", "case_resolution_rate", "trên", "81")], {}, "unit_unknown",
     'biểu CHITIEU, ô A10: không có đơn vị mã "THADS-99" trong danh mục đơn vị.'),
    ([("THADS", "resolution_rate", "trên", "81")], {}, "unknown_indicator",
     'biểu CHITIEU, ô B10: chỉ tiêu "resolution_rate" không đúng; phải là một trong '
     "case_resolution_rate, money_resolution_rate, success_rate."),
    ([("STP-10", "case_resolution_rate", "trên", "81")], {}, "indicator_not_for_unit",
     "biểu CHITIEU, ô B10: chỉ tiêu case_resolution_rate (tỷ lệ giải quyết xong về việc) là "
     "chỉ tiêu của cơ quan thi hành án dân sự; đơn vị STP-10 là Sở Tư pháp, chỉ được giao "
     "success_rate."),
    ([("THADS", "case_resolution_rate", "bằng", "81")], {}, "unknown_comparator",
     'biểu CHITIEU, ô C10: cột (3) (so sánh) "bằng" không đúng; ghi "trên" (cao hơn hẳn) hoặc '
     '"từ" (bằng hoặc cao hơn).'),
    ([("THADS", "case_resolution_rate", "trên", "tám mươi")], {}, "not_a_number",
     'biểu CHITIEU, ô D10: giá trị "tám mươi" không phải là số.'),
    ([("THADS", "case_resolution_rate", "trên", "100,5")], {}, "not_a_percentage",
     'biểu CHITIEU, ô D10: giá trị "100,5" không phải tỷ lệ phần trăm từ 0 đến 100.'),
    ([("THADS", "case_resolution_rate", "trên", -5)], {}, "not_a_percentage",
     'biểu CHITIEU, ô D10: giá trị "-5" không phải tỷ lệ phần trăm từ 0 đến 100.'),
    ([("THADS", "case_resolution_rate", "trên", 0.815)], {}, "not_a_percentage",
     "biểu CHITIEU, ô D10: giá trị 0,815 không rõ là 0,815% hay 81,5% (ô định dạng phần trăm "
     'lưu 81,50% thành 0,815); hãy ghi số phần trăm, ví dụ 81,5 hoặc "81,50%" dạng chữ.'),
    ([*ONE, ("thads", "case_resolution_rate", "từ", "82")], {}, "duplicate_indicator",
     "biểu CHITIEU, ô A11: chỉ tiêu case_resolution_rate của các cơ quan thi hành án dân sự "
     "(THADS) đã có ở dòng 10."),
    ([("THADS-10", None, None, None)], {}, "not_a_percentage",
     "biểu CHITIEU, ô A10: dòng 10 ghi đơn vị nhưng chưa ghi chỉ tiêu, so sánh và giá trị."),
    ([("THADS-10", "case_resolution_rate", "trên", None)], {}, "not_a_percentage",
     "biểu CHITIEU, ô D10: cột (4) (giá trị %) để trống."),
    ([(None, "case_resolution_rate", "trên", "80")], {}, "unit_missing",
     "biểu CHITIEU, ô A10: dòng 10 có chỉ tiêu nhưng cột (1) (mã đơn vị) để trống."),
    ([("I. Các Cục THADS", None, None, None)], {}, "no_targets",
     "biểu CHITIEU: bảng chỉ tiêu không có dòng nào (cột (1) đến (4) đều trống)."),
])
def test_malformed_workbook_decisions(tmp_path: Path, parse: Parse, rows: list,
                                      meta: dict, code: str, expected: str) -> None:
    path = write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(rows, **meta)})
    assert reject(parse, path, code) == f'Tệp "qd.xlsx", {expected}'


def test_rejection_keeps_the_year(tmp_path: Path, parse: Parse) -> None:
    path = write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(
        [("THADS", "case_resolution_rate", "trên", "120")], year=2023)})
    rejection = parse(path).rejection
    assert rejection is not None and (rejection.year, rejection.unit_code) == (2023, None)


def test_a_decision_and_a_report_never_share_a_file(tmp_path: Path, parse: Parse) -> None:
    report = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 3})])
    path = write_xlsx(tmp_path / "qd.xlsx", {"CHITIEU": targets_grid(ONE), "PBGDPL": report})
    assert reject(parse, path, "mixed_content") == (
        'Tệp "qd.xlsx": tệp vừa có trang CHITIEU (quyết định giao chỉ tiêu) vừa có biểu báo cáo '
        'PBGDPL (trang tính "PBGDPL"); hãy gửi quyết định giao chỉ tiêu trong một tệp riêng.')
    two = write_xlsx(tmp_path / "hai.xlsx", {"CHITIEU": targets_grid(ONE),
                                             "Chỉ tiêu": targets_grid(ONE)})
    assert "hai trang tính chỉ tiêu" in reject(parse, two, "duplicate_indicator")


@pytest.mark.parametrize(("lines", "code", "expected"), [
    (targets_csv_lines(ONE, decision_number=""), "decision_number_missing",
     "dòng 2: cột decision_number (số quyết định) để trống."),
    (targets_csv_lines(ONE, year=""), "year_missing", "dòng 2: cột year (năm giao chỉ tiêu) để "
     "trống."),
    (targets_csv_lines([*ONE, ("THADS", "case_resolution_rate", "từ", "80")]),
     "duplicate_indicator", "dòng 3: chỉ tiêu case_resolution_rate của các cơ quan thi hành án "
     "dân sự (THADS) đã có ở dòng 2."),
    (targets_csv_lines(ONE) + targets_csv_lines(
        [("THADS", "money_resolution_rate", "trên", "40")], decision_number="124/QĐ-TCTHADS"),
     "conflicting_decisions", 'dòng 3: số quyết định "124/QĐ-TCTHADS" khác dòng 2 '
     '("123/QĐ-TCTHADS") cho cùng năm 2022; mỗi năm chỉ một quyết định giao chỉ tiêu trong một '
     "tệp."),
    (targets_csv_lines([("THADS", "money_resolution_rate", "trên", "140,1")]),
     "not_a_percentage", 'dòng 2: giá trị "140,1" không phải tỷ lệ phần trăm từ 0 đến 100.'),
    ([], "no_targets", "tệp chỉ có dòng tiêu đề, không có dòng chỉ tiêu nào."),
])
def test_malformed_csv_decisions(tmp_path: Path, parse: Parse, lines: list, code: str,
                                 expected: str) -> None:
    path = write_csv(tmp_path / "qd.csv", lines, header=TARGETS_CSV_HEADER, delimiter=";")
    message = reject(parse, path, code)
    assert message == (f'Tệp "qd.csv", {expected}' if expected.startswith("dòng")
                       else f'Tệp "qd.csv": {expected}')


def test_csv_header_near_the_decision_header_is_named(tmp_path: Path, parse: Parse) -> None:
    header = TARGETS_CSV_HEADER[:-1]  # no value column
    path = write_csv(tmp_path / "qd.csv", [("1/QĐ", "", "", 2022, "THADS", "x", "trên")],
                     header=header)
    assert reject(parse, path, "missing_header") == (
        'Tệp "qd.csv", dòng 1: dòng tiêu đề thiếu cột value; tiêu đề phải là '
        '"decision_number,decision_date,issuer,year,unit,indicator,comparator,value".')

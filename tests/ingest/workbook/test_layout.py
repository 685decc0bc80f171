"""Workbooks as officers fill them in: every layout quirk report-format.md tolerates."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.model import ParseResult, Submission
from ingest.workbook.layout import form_for_sheet_name
from tests.ingest.builders import Grid, report_grid, write_xlsx

Parse = Callable[..., ParseResult]

PBGDPL_ROWS = [
    ("Huyện Bát Xát", {"sessions": 120, "attendees": 8000, "documents": 1500}),
    ("Huyện Sa Pa", {"sessions": 80, "attendees": 5000, "documents": 900}),
    ("Tổng cộng", {"sessions": 200, "attendees": 13000, "documents": 2400,
                   "legal_reporters": 30, "legal_propagandists": 400}),
]


def accepted(result: ParseResult) -> tuple[Submission, ...]:
    assert result.rejection is None, result.rejection
    return result.submissions


def figures(sub: Submission) -> dict[tuple[str | None, str], float]:
    return {(v.subunit, v.indicator): v.value for v in sub.values}


def test_plain_report(tmp_path: Path, parse: Parse) -> None:
    path = write_xlsx(tmp_path / "bao_cao_2022.xlsx",
                      {"PBGDPL": report_grid("PBGDPL", PBGDPL_ROWS)})
    result = parse(path)
    (sub,) = accepted(result)
    assert result.file_kind == "xlsx" and result.years == (2022,)
    assert (sub.unit_code, sub.province_code, sub.year) == ("STP-10", "10", 2022)
    assert sub.form == "PBGDPL"
    assert sub.unit_name_reported == "Sở Tư pháp tỉnh Lào Cai"
    assert sub.sheet_name == "PBGDPL" and sub.report_date is None and sub.has_total_row
    got = figures(sub)
    assert got[("Huyện Bát Xát", "sessions")] == 120
    assert got[(None, "legal_propagandists")] == 400
    assert ("Huyện Bát Xát", "legal_reporters") not in got  # empty cell: not reported, not 0
    orders = {v.subunit: v.subunit_order for v in sub.values}
    assert orders == {"Huyện Bát Xát": 1, "Huyện Sa Pa": 2, None: 0}
    cells = {(v.subunit, v.indicator): v.source_cell for v in sub.values}
    # title, blank, 2 metadata lines, blank, labels, numbers -> data from row 8
    assert cells[("Huyện Bát Xát", "sessions")] == "PBGDPL!B8"
    assert cells[(None, "documents")] == "PBGDPL!D10"
    assert all(v.decimals == 0 for v in sub.values)


def test_labels_worded_differently(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid(
        "PBGDPL", PBGDPL_ROWS, report_date="15/11/2022", preparer="Nguyễn Văn A",
        meta_labels={"unit_name": "ĐƠN VỊ BÁO CÁO", "year": "Kỳ báo cáo :",
                     "report_date": "ngay lap bao cao", "preparer": "Người lập biểu"},
    )
    labels_row = grid.row_of("Đơn vị")
    grid.cells[labels_row] = ["Tên đơn vị", "Cuộc", "Lượt người", "Tài liệu", "BCV", "TTV"]
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert sub.report_date == date(2022, 11, 15)
    assert figures(sub)[(None, "attendees")] == 13000


def test_title_rows_merged_cells_and_offset_table(tmp_path: Path, parse: Parse) -> None:
    rows = [("Tổng cộng", {"carried_over": 100, "new": 50, "accepted": 150, "eligible": 120,
                           "resolved": 90, "resolution_rate": 75.0})]
    grid = report_grid("THADS_VIEC", rows, unit_name="Cục THADS tỉnh Lào Cai", year=2024, pad=2)
    # A two-level header: a merged group label above the column labels.
    labels_row = grid.row_of("Đơn vị")
    grid.cells.insert(labels_row, [None, None, "Đơn vị", "Thụ lý", None, None, "Phải thi hành"])
    grid.merges += [(labels_row, 2, labels_row + 1, 2), (labels_row, 3, labels_row, 5),
                    (labels_row, 6, labels_row, 8)]
    grid.cells[labels_row + 1][2] = None  # covered by the vertical merge
    grid.cells.insert(0, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    grid.cells.insert(1, ["Độc lập - Tự do - Hạnh phúc"])
    grid.merges = [(r1 + 2, c1, r2 + 2, c2) for r1, c1, r2, c2 in grid.merges]
    grid.merges += [(0, 0, 0, 8), (1, 0, 1, 8)]
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"THADS_VIEC": grid})))
    assert sub.unit_code == "THADS-10"
    assert figures(sub)[(None, "resolved")] == 90
    cell = next(v.source_cell for v in sub.values if v.indicator == "carried_over")
    assert cell.startswith("THADS_VIEC!D")  # two padding columns: column (2) is D


def test_numbers_written_as_vietnamese_text(tmp_path: Path, parse: Parse) -> None:
    rows = [("Tổng cộng", {"teams": "1.234", "mediators": "12 345", "cases_received": "3.247",
                           "cases_successful": " 2.754 ", "cases_unsuccessful": "400",
                           "cases_pending": "93", "success_rate": "84,82%"})]
    grid = report_grid("HOAGIAI", rows)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"HOAGIAI": grid})))
    values = {v.indicator: (v.value, v.decimals) for v in sub.values}
    assert values["teams"] == (1234, 0)
    assert values["mediators"] == (12345, 0)
    assert values["cases_successful"] == (2754, 0)
    assert values["success_rate"] == (84.82, 2)


def test_rate_precision_as_printed(tmp_path: Path, parse: Parse) -> None:
    rows = [("Xã A", {"cases_received": 100, "success_rate": "85"}),
            ("Xã B", {"cases_received": 100, "success_rate": 89.68}),
            ("Xã C", {"cases_received": 100, "success_rate": 90.5})]
    path = write_xlsx(tmp_path / "r.xlsx", {"HOAGIAI": report_grid("HOAGIAI", rows)})
    (sub,) = accepted(parse(path))
    rates = {v.subunit: (v.value, v.decimals) for v in sub.values if v.indicator == "success_rate"}
    assert rates == {"Xã A": (85, 0), "Xã B": (89.68, 2), "Xã C": (90.5, 1)}


@pytest.mark.parametrize(
    "name",
    [
        unicodedata.normalize("NFD", "Sở Tư pháp tỉnh Lào Cai"),
        "So Tu phap tinh Lao Cai",
        "STP Lào Cai",
        "Sở Tư pháp Lào Cai",
        "  sở  tư pháp   LÀO CAI ",
    ],
)
def test_unit_name_spellings(tmp_path: Path, parse: Parse, name: str) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, unit_name=name)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert sub.unit_code == "STP-10"
    assert unicodedata.normalize("NFC", sub.unit_name_reported) == sub.unit_name_reported


@pytest.mark.parametrize("name", ["Cục THADS tỉnh Lào Cai", "Cục THA DS Lào Cai",
                                  "THADS tỉnh Lào Cai", "Cuc Thi hanh an dan su tinh Lao Cai"])
def test_thads_short_names(tmp_path: Path, parse: Parse, name: str) -> None:
    grid = report_grid("THADS_TIEN", [("Tổng cộng", {"accepted": 5})], unit_name=name, year=2023)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"THADS_TIEN": grid})))
    assert sub.unit_code == "THADS-10"


def test_lao_cai_before_and_after_the_merger(tmp_path: Path, parse: Parse) -> None:
    cases = [(2024, "Sở Tư pháp tỉnh Lào Cai", "STP-10", "10"),
             (2025, "Sở Tư pháp tỉnh Lào Cai", "STP-15", "15"),
             (2024, "Cục Thi hành án dân sự tỉnh Lào Cai", "THADS-10", "10"),
             (2025, "Thi hành án dân sự tỉnh Lào Cai", "THADS-15", "15")]
    for year, name, code, province in cases:
        form = "PBGDPL" if code.startswith("STP") else "THADS_VIEC"
        indicator = "sessions" if form == "PBGDPL" else "accepted"
        grid = report_grid(form, [("Tổng cộng", {indicator: 7})], unit_name=name, year=year)
        (sub,) = accepted(parse(write_xlsx(tmp_path / f"{code}_{year}.xlsx", {form: grid})))
        assert (sub.unit_code, sub.province_code, sub.year) == (code, province, year)


def test_hanoi_out_of_cluster_but_in_national_scope(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, unit_name="Sở Tư pháp thành phố Hà Nội", year=2024)
    path = write_xlsx(tmp_path / "ha_noi.xlsx", {"PBGDPL": grid})
    rejected = parse(path)
    assert rejected.rejection.code == "unit_out_of_scope"
    assert rejected.rejection.message == (
        'Tệp "ha_noi.xlsx": đơn vị "Sở Tư pháp thành phố Hà Nội" không thuộc cụm thi đua các '
        "tỉnh miền núi biên giới phía Bắc năm 2024.")
    assert (rejected.rejection.year, rejected.rejection.unit_code) == (2024, "STP-01")
    (sub,) = accepted(parse(path, scope="national"))
    assert sub.unit_code == "STP-01"


def test_subunits_without_total_row(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS[:2])
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert not sub.has_total_row
    assert [v.subunit_order for v in sub.values if v.indicator == "sessions"] == [1, 2]


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG SỐ", "Tong cong", "Tổng", "tổng cộng:"])
def test_total_row_spellings(tmp_path: Path, parse: Parse, label: str) -> None:
    grid = report_grid("PBGDPL", [("Huyện A", {"sessions": 1}), (label, {"sessions": 1})])
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert [(v.subunit, v.subunit_order) for v in sub.values] == [("Huyện A", 1), (None, 0)]


@pytest.mark.parametrize(
    "raw",
    [date(2022, 11, 15), datetime(2022, 11, 15, 8, 30), "15/11/2022", "15-11-2022",
     "15.11.2022", "2022-11-15", "ngày 15 tháng 11 năm 2022", "Lào Cai, ngày 15 tháng 11 năm 2022"],
)
def test_report_date_forms(tmp_path: Path, parse: Parse, raw: object) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, report_date=raw)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert sub.report_date == date(2022, 11, 15)


@pytest.mark.parametrize("raw", [2022, 2022.0, "2022", "Năm 2022", " năm  2022 "])
def test_year_forms(tmp_path: Path, parse: Parse, raw: object) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, year=raw)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert sub.year == 2022


def test_injection_strings_stay_plain_text(tmp_path: Path, parse: Parse) -> None:
    hostile = ["=cmd|' /C calc'!A0", "'; DROP TABLE x;--", "+SUM(1;2)", "@HYPERLINK(\"x\")",
               "<script>alert(1)</script>"]
    rows = [(name, {"sessions": i + 1}) for i, name in enumerate(hostile)]
    grid = report_grid("PBGDPL", rows, preparer="=1+1")
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert [v.subunit for v in sub.values] == hostile


def test_metadata_inherited_from_the_first_form_sheet(tmp_path: Path, parse: Parse) -> None:
    first = report_grid("PBGDPL", PBGDPL_ROWS, report_date="01/12/2022")
    second = report_grid("HOAGIAI", [("Tổng cộng", {"teams": 4})], metadata=False)
    third_rows = [("Tổng cộng", {"teams": 4})]
    path = write_xlsx(tmp_path / "r.xlsx", {"Hướng dẫn": [["Ghi chú: điền vào các biểu"]],
                                            "PBGDPL": first, "HOAGIAI": second})
    subs = accepted(parse(path))
    assert [(s.form, s.unit_code, s.year, s.report_date) for s in subs] == [
        ("PBGDPL", "STP-10", 2022, date(2022, 12, 1)),
        ("HOAGIAI", "STP-10", 2022, date(2022, 12, 1))]
    # A sheet with its own lines uses them (here: a later report date).
    own = report_grid("HOAGIAI", third_rows, unit_name=None, report_date="05/12/2022")
    subs = accepted(parse(write_xlsx(tmp_path / "r2.xlsx", {"PBGDPL": first, "HOAGIAI": own})))
    assert [s.report_date for s in subs] == [date(2022, 12, 1), date(2022, 12, 5)]


def test_unit_code_alone_or_agreeing_with_the_name(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, unit_name=None, unit_code="stp-10")
    (sub,) = accepted(parse(write_xlsx(tmp_path / "a.xlsx", {"PBGDPL": grid})))
    assert sub.unit_code == "STP-10" and sub.unit_name_reported is None
    grid = report_grid("PBGDPL", PBGDPL_ROWS, unit_code="STP-10")
    (sub,) = accepted(parse(write_xlsx(tmp_path / "b.xlsx", {"PBGDPL": grid})))
    assert sub.unit_code == "STP-10"


def test_column_numbers_typed_into_excel_as_negative_numbers(tmp_path: Path, parse: Parse) -> None:
    """Typing "(3)" into Excel stores -3; such a row still numbers the columns."""
    marks = {n: -n for n in range(1, 7)}
    grid = report_grid("PBGDPL", PBGDPL_ROWS, column_marks=marks)
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert figures(sub)[(None, "sessions")] == 200


def test_label_and_value_in_one_cell(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, metadata=False)
    grid.cells[1] = ["Đơn vị báo cáo: Sở Tư pháp tỉnh Lai Châu", None, None, "Năm báo cáo: 2023"]
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert (sub.unit_code, sub.year) == ("STP-12", 2023)


def test_section_headings_columns_outside_the_form_and_footers(tmp_path: Path,
                                                               parse: Parse) -> None:
    grid = report_grid("PBGDPL", [], footer=False)
    grid.cells += [
        ["I. Cấp huyện"],  # a heading: no values, ignored
        ["Huyện A", 1, 2],
        ["II. Cấp xã", None, None, None, None, None, None, "ghi chú ngoài bảng"],
        ["Xã B", 3, 4],
        ["Tổng cộng", 4, 6],
        [None, None, None, None, "Lào Cai, ngày 15 tháng 11 năm 2022"],
        ["Người lập biểu", None, None, "Thủ trưởng đơn vị"],
        ["Nguyễn Văn A", 99, 99],  # below the footer: not part of the table
    ]
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert figures(sub) == {("Huyện A", "sessions"): 1, ("Huyện A", "attendees"): 2,
                            ("Xã B", "sessions"): 3, ("Xã B", "attendees"): 4,
                            (None, "sessions"): 4, (None, "attendees"): 6}


def test_table_ends_at_the_first_blank_row(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("PBGDPL", PBGDPL_ROWS, footer=False)
    grid.cells += [[], ["Ghi chú"], ["Huyện lạ", 5]]
    (sub,) = accepted(parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid})))
    assert "Huyện lạ" not in {v.subunit for v in sub.values}


@pytest.mark.parametrize(("sheet", "form"), [
    ("PBGDPL", "PBGDPL"), (" pbgdpl ", "PBGDPL"), ("Biểu PBGDPL", "PBGDPL"),
    ("Biểu số 01 HOAGIAI", "HOAGIAI"), ("Mẫu THADS_VIEC", "THADS_VIEC"),
    ("thads-tien", "THADS_TIEN"),
    ("Hướng dẫn", None), ("Sheet1", None), ("PBGDPL cũ", None),
])
def test_sheet_names(sheet: str, form: str | None) -> None:
    assert form_for_sheet_name(sheet) == form


def test_empty_template_sheets_of_the_other_unit_type_are_skipped(tmp_path: Path,
                                                                   parse: Parse) -> None:
    empty_thads = report_grid("THADS_VIEC", [("Tổng cộng", {})], metadata=False)
    result = parse(write_xlsx(tmp_path / "r.xlsx", {
        "PBGDPL": report_grid("PBGDPL", PBGDPL_ROWS), "THADS_VIEC": empty_thads,
        "THADS_TIEN": Grid([])}))
    (sub,) = accepted(result)
    assert sub.form == "PBGDPL"
    assert any("THADS_VIEC" in w for w in result.warnings)


def test_thirty_rows_parse_in_milliseconds(tmp_path: Path, parse: Parse) -> None:
    rows = [(f"Phòng THADS khu vực {i}", {ind: 1000 + i for ind in
             ("carried_over", "new", "accepted", "entrusted", "revoked", "to_enforce", "eligible",
              "not_eligible", "completed", "terminated", "resolved", "carried_forward")})
            for i in range(1, 30)]
    grid = report_grid("THADS_VIEC", rows, unit_name="Cục THADS tỉnh Sơn La")
    path = write_xlsx(tmp_path / "r.xlsx", {"THADS_VIEC": grid, "THADS_TIEN": grid})
    accepted(parse(path))
    timings = []  # CPU time of this thread: the parse runs in it, and other load does not count
    for _ in range(5):
        start = time.thread_time()
        (viec, tien) = accepted(parse(path))
        timings.append(time.thread_time() - start)
    assert len(viec.values) == 29 * 12
    assert min(timings) < 0.05, timings


def test_instruction_sheet_showing_the_numbered_header_is_ignored(tmp_path: Path,
                                                                   parse: Parse) -> None:
    example = report_grid("PBGDPL", [("Ví dụ: Huyện A", {})], metadata=False)
    path = write_xlsx(tmp_path / "r.xlsx", {"Hướng dẫn": example,
                                            "PBGDPL": report_grid("PBGDPL", PBGDPL_ROWS)})
    assert len(accepted(parse(path))) == 1


def test_formulas_without_cached_values_are_reported_to_the_data_team(tmp_path: Path,
                                                                       parse: Parse) -> None:
    """A script-written total "=SUM(...)" has no value until a spreadsheet program computes
    it; it reads as empty (not reported), and the log says so."""
    import openpyxl

    path = write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": report_grid("PBGDPL", PBGDPL_ROWS)})
    workbook = openpyxl.load_workbook(path)
    workbook["PBGDPL"]["B10"] = "=SUM(B8:B9)"
    workbook.save(path)
    result = parse(path)
    (sub,) = accepted(result)
    assert (None, "sessions") not in figures(sub)
    assert any("B10" in w and "cached" in w for w in result.warnings)


def test_unrecognised_name_with_a_valid_code_is_accepted(tmp_path: Path, parse: Parse) -> None:
    """An unusual spelling must not block a report whose code is right; the log notes it."""
    grid = report_grid("PBGDPL", PBGDPL_ROWS, unit_name="Văn phòng Sở (LC)", unit_code="STP-10")
    result = parse(write_xlsx(tmp_path / "r.xlsx", {"PBGDPL": grid}))
    (sub,) = accepted(result)
    assert sub.unit_code == "STP-10" and sub.unit_name_reported == "Văn phòng Sở (LC)"
    assert any("not recognised" in w for w in result.warnings)

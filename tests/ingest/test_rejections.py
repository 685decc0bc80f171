"""Every rejection code, with the officer-facing message it produces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.limits import Limits
from ingest.model import ParseResult
from tests.ingest.builders import (
    pbgdpl_grid,
    report_grid,
    write_csv,
    write_unloadable_files,
    write_xlsx,
)

Parse = Callable[..., ParseResult]

ALL_CODES = {
    "unreadable", "too_large", "no_forms", "unknown_form", "unknown_column", "unit_missing",
    "unit_unknown", "unit_mismatch", "unit_out_of_scope", "form_not_for_unit", "year_missing",
    "year_invalid", "not_a_number", "negative", "fractional", "duplicate_indicator", "bad_date",
    "missing_header",
}


def reject(parse: Parse, path: Path, code: str, **kwargs: object) -> str:
    """The message of a file rejected whole (a report's or a targets decision's)."""
    result = parse(path, **kwargs)
    assert result.submissions == () and result.decisions == ()
    assert result.rejection is not None, "expected a rejection"
    assert result.rejection.code == code, result.rejection
    message = result.rejection.message
    assert message.startswith(f'Tệp "{path.name}"') and message.endswith(".")
    assert "\n" not in message
    return message


def xlsx(tmp_path: Path, sheets: dict[str, object], name: str = "bao_cao.xlsx") -> Path:
    return write_xlsx(tmp_path / name, sheets)


pbgdpl = pbgdpl_grid


def test_spec_example_message(tmp_path: Path, parse: Parse) -> None:
    rows = [(f"Phòng THADS khu vực {i}", {"accepted": 10}) for i in range(1, 5)]
    rows.append(("Phòng THADS khu vực 5", {"accepted": 10, "eligible": "12a"}))
    grid = report_grid("THADS_VIEC", rows, unit_name="Cục THADS tỉnh Lào Cai", year=2024)
    path = xlsx(tmp_path, {"THADS_VIEC": grid}, "bao_cao_2024.xlsx")
    message = reject(parse, path, "not_a_number")
    assert message == (
        'Tệp "bao_cao_2024.xlsx", biểu THADS_VIEC, ô H12: giá trị "12a" không phải là số.')
    rejection = parse(path).rejection
    assert (rejection.year, rejection.unit_code) == (2024, "THADS-10")


def test_source_name_is_used_in_messages(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(rows=[("Tổng cộng", {"sessions": "x"})])
    path = xlsx(tmp_path, {"PBGDPL": grid}, "0f3a9b.xlsx")
    result = parse(path, source_name="Báo cáo Lào Cai.xlsx")
    assert result.rejection.message.startswith('Tệp "Báo cáo Lào Cai.xlsx", biểu PBGDPL, ô B8:')


# --- values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("12a", "not_a_number", 'giá trị "12a" không phải là số'),
        ("1,8 triệu", "not_a_number", "không phải là số"),
        ("NaN", "not_a_number", "không phải là số"),
        ("inf", "not_a_number", "không phải là số"),
        ("99999999999999999999999", "not_a_number", "quá lớn"),
        ("85%", "not_a_number", "có dấu %"),
        (-5, "negative", "số âm"),
        ("-1.234", "negative", "số âm"),
        (12.5, "fractional", "phần thập phân; cột (2) phải là số nguyên"),
        ("12,5", "fractional", 'giá trị "12,5" có phần thập phân'),
    ],
)
def test_bad_values(tmp_path: Path, parse: Parse, raw: object, code: str, fragment: str) -> None:
    grid = pbgdpl(rows=[("Huyện A", {"attendees": 1}), ("Tổng cộng", {"sessions": raw})])
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), code)
    assert "biểu PBGDPL, ô B9:" in message and fragment in message


def test_negative_rate_and_long_values_are_echoed_short(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("HOAGIAI", [("Tổng cộng", {"success_rate": "-3,5"})])
    assert "số âm" in reject(parse, xlsx(tmp_path, {"HOAGIAI": grid}), "negative")
    long_value = "abc\n" * 100
    grid = pbgdpl(rows=[("Tổng cộng", {"sessions": long_value})])
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}, "b.xlsx"), "not_a_number")
    assert len(message) < 200 and "…" in message


def test_csv_value_codes(tmp_path: Path, parse: Parse) -> None:
    rows = [("STP-10", 2022, "PBGDPL", "", "sessions", "-1")]
    assert "dòng 2" in reject(parse, write_csv(tmp_path / "n.csv", rows), "negative")
    rows = [("STP-10", 2022, "PBGDPL", "", "sessions", "1,5")]
    message = reject(parse, write_csv(tmp_path / "f.csv", rows), "fractional")
    assert "chỉ tiêu sessions phải là số nguyên" in message


# --- duplicates ---------------------------------------------------------------------------


def test_duplicate_subunit(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(rows=[("Huyện A", {"sessions": 1}), ("huyện  a", {"sessions": 2})])
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "duplicate_indicator")
    assert "xuất hiện hai lần (dòng 8 và dòng 9)" in message


def test_duplicate_total_row(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(rows=[("Tổng cộng", {"sessions": 1}), ("Tổng số", {"sessions": 1})])
    assert "dòng tổng cộng" in reject(parse, xlsx(tmp_path, {"PBGDPL": grid}),
                                      "duplicate_indicator")


def test_duplicate_column_number(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(column_marks={3: "(2)"})
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "duplicate_indicator")
    assert "cột (2) được đánh số hai lần (ô B7 và ô C7)" in message


def test_duplicate_form_sheet(tmp_path: Path, parse: Parse) -> None:
    path = xlsx(tmp_path, {"PBGDPL": pbgdpl(), "Biểu PBGDPL": pbgdpl()})
    assert "hai trang tính" in reject(parse, path, "duplicate_indicator")


def test_duplicate_csv_indicator(tmp_path: Path, parse: Parse) -> None:
    rows = [("STP-10", 2022, "PBGDPL", "Xã A", "sessions", "1"),
            ("STP-10", 2022, "PBGDPL", "Xã B", "sessions", "1"),
            ("STP-10", 2022, "PBGDPL", "xã a", "sessions", "2")]
    message = reject(parse, write_csv(tmp_path / "d.csv", rows), "duplicate_indicator")
    assert message.startswith('Tệp "d.csv", dòng 4: chỉ tiêu sessions của đơn vị "xã a"')
    assert "đã có ở dòng 2" in message


# --- forms and columns --------------------------------------------------------------------


def test_no_forms(tmp_path: Path, parse: Parse) -> None:
    path = xlsx(tmp_path, {"Sheet1": [["Báo cáo"], ["xem tệp đính kèm"]]})
    assert "mã biểu" in reject(parse, path, "no_forms")
    empty = xlsx(tmp_path, {"PBGDPL": pbgdpl(rows=[("Tổng cộng", {})])}, "empty.xlsx")
    assert "không có số liệu" in reject(parse, empty, "no_forms")
    header_only = write_csv(tmp_path / "h.csv", [])
    reject(parse, header_only, "no_forms")


def test_unknown_form(tmp_path: Path, parse: Parse) -> None:
    path = xlsx(tmp_path, {"PBGDPL": pbgdpl(), "Biểu 05": pbgdpl()})
    assert 'trang tính "Biểu 05" có bảng số liệu' in reject(parse, path, "unknown_form")
    rows = [("STP-10", 2022, "PBGDPL2", "", "sessions", "1")]
    message = reject(parse, write_csv(tmp_path / "u.csv", rows), "unknown_form")
    assert 'dòng 2: mã biểu "PBGDPL2" không đúng' in message


def test_unknown_column(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(columns=[2, 3, 9])
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "unknown_column")
    assert "ô D7: cột (9) không có trong biểu PBGDPL" in message
    no_numbers = pbgdpl()
    no_numbers.cells.pop(no_numbers.row_of("(1)"))
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": no_numbers}, "b.xlsx"), "unknown_column")
    assert "không tìm thấy dòng đánh số cột" in message
    rows = [("STP-10", 2022, "PBGDPL", "", "phien_hop", "1")]
    message = reject(parse, write_csv(tmp_path / "c.csv", rows), "unknown_column")
    assert 'chỉ tiêu "phien_hop" không có trong biểu PBGDPL' in message


def test_form_not_for_unit(tmp_path: Path, parse: Parse) -> None:
    grid = report_grid("THADS_VIEC", [("Tổng cộng", {"accepted": 1})], unit_name="STP Lào Cai")
    message = reject(parse, xlsx(tmp_path, {"THADS_VIEC": grid}), "form_not_for_unit")
    assert 'đơn vị "Sở Tư pháp tỉnh Lào Cai" (STP-10) là Sở Tư pháp' in message
    rows = [("THADS-10", 2022, "PBGDPL", "", "sessions", "1")]
    reject(parse, write_csv(tmp_path / "f.csv", rows), "form_not_for_unit")


# --- unit and year ------------------------------------------------------------------------


def test_unit_missing(tmp_path: Path, parse: Parse) -> None:
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": pbgdpl(unit_name=None)}), "unit_missing")
    assert 'thiếu dòng "Đơn vị báo cáo"' in message
    grid = pbgdpl(rows=[(None, {"sessions": 1})])
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}, "b.xlsx"), "unit_missing")
    assert "ô A8: dòng 8 có số liệu nhưng cột (1) (tên đơn vị) để trống" in message
    rows = [("", 2022, "PBGDPL", "", "sessions", "1")]
    reject(parse, write_csv(tmp_path / "m.csv", rows), "unit_missing")


def test_unit_unknown(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(unit_name="Sở Tư pháp tỉnh Hà Tây")
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "unit_unknown")
    assert 'ô C3: không tìm thấy đơn vị "Sở Tư pháp tỉnh Hà Tây"' in message
    grid = pbgdpl(unit_name=None, unit_code="STP-99")
    assert 'không có đơn vị mã "STP-99"' in reject(
        parse, xlsx(tmp_path, {"PBGDPL": grid}, "b.xlsx"), "unit_unknown")
    grid = pbgdpl(unit_name=None, unit_code="Lào Cai")
    assert "không đúng dạng STP-PP" in reject(
        parse, xlsx(tmp_path, {"PBGDPL": grid}, "c.xlsx"), "unit_unknown")


def test_merged_code_names_its_successor(tmp_path: Path, parse: Parse) -> None:
    rows = [("THADS-10", 2025, "THADS_VIEC", "", "accepted", "1")]
    message = reject(parse, write_csv(tmp_path / "m.csv", rows), "unit_unknown")
    assert message == (
        'Tệp "m.csv", dòng 2: mã đơn vị "THADS-10" không còn hiệu lực năm 2025: tỉnh Lào Cai '
        "(mã 10) đã hợp nhất vào tỉnh Lào Cai (mã 15) từ ngày 01/07/2025; năm 2025 hãy báo cáo "
        'là "Thi hành án dân sự tỉnh Lào Cai", mã THADS-15.')
    grid = pbgdpl(unit_name="Sở Tư pháp tỉnh Hà Giang", year=2025)
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "unit_unknown")
    assert "tỉnh Hà Giang (mã 02) đã hợp nhất vào tỉnh Tuyên Quang (mã 08)" in message
    assert "mã STP-08" in message


def test_unit_mismatch(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(unit_name="Sở Tư pháp tỉnh Lào Cai", unit_code="STP-11")
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": grid}), "unit_mismatch")
    assert "ô C4:" in message and "không khớp" in message
    other = report_grid("HOAGIAI", [("Tổng cộng", {"teams": 1})], unit_name="STP Sơn La")
    path = xlsx(tmp_path, {"PBGDPL": pbgdpl(), "HOAGIAI": other}, "b.xlsx")
    message = reject(parse, path, "unit_mismatch")
    assert "các biểu ghi đơn vị khác nhau" in message and "STP-14" in message


def test_unit_out_of_scope_csv(tmp_path: Path, parse: Parse) -> None:
    rows = [("STP-01", 2024, "PBGDPL", "", "sessions", "1")]
    path = write_csv(tmp_path / "hn.csv", rows)
    message = reject(parse, path, "unit_out_of_scope")
    assert message == ('Tệp "hn.csv": đơn vị "Sở Tư pháp thành phố Hà Nội" không thuộc cụm thi '
                       "đua các tỉnh miền núi biên giới phía Bắc năm 2024.")
    assert parse(path, scope="national").rejection is None


def test_year_missing(tmp_path: Path, parse: Parse) -> None:
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": pbgdpl(year=None)}), "year_missing")
    assert 'thiếu dòng "Năm báo cáo"' in message
    rows = [("STP-10", "", "PBGDPL", "", "sessions", "1")]
    reject(parse, write_csv(tmp_path / "y.csv", rows), "year_missing")


@pytest.mark.parametrize("raw", ["hai nghìn", "1999", "20222", "2021-2022", 2022.5, "năm nay"])
def test_year_invalid(tmp_path: Path, parse: Parse, raw: object) -> None:
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": pbgdpl(year=raw)}), "year_invalid")
    assert "biểu PBGDPL, ô C4: năm báo cáo" in message


def test_sheets_with_different_years(tmp_path: Path, parse: Parse) -> None:
    other = report_grid("HOAGIAI", [("Tổng cộng", {"teams": 1})], year=2023)
    path = xlsx(tmp_path, {"PBGDPL": pbgdpl(), "HOAGIAI": other})
    assert "năm báo cáo khác nhau" in reject(parse, path, "year_invalid")


@pytest.mark.parametrize("raw", ["31/02/2022", "15/11", "hôm qua", "11/15/2022", 44880])
def test_bad_date(tmp_path: Path, parse: Parse, raw: object) -> None:
    message = reject(parse, xlsx(tmp_path, {"PBGDPL": pbgdpl(report_date=raw)}), "bad_date")
    assert "ô C5: ngày lập báo cáo" in message


def test_missing_header_is_covered(tmp_path: Path, parse: Parse) -> None:
    path = write_csv(tmp_path / "r.csv", [("STP-10", 2022)], header=("unit_code", "year"))
    assert "thiếu cột form, subunit, indicator, value" in reject(parse, path, "missing_header")


def test_structure_rejections_still_carry_the_year(tmp_path: Path, parse: Parse) -> None:
    grid = pbgdpl(columns=[2, 9], year=2023)
    rejection = parse(xlsx(tmp_path, {"PBGDPL": grid})).rejection
    assert (rejection.code, rejection.year, rejection.unit_code) == ("unknown_column", 2023,
                                                                     "STP-10")


# --- containers (more in workbook/test_guards.py) -----------------------------------------------


def test_unreadable_and_too_large_basics(tmp_path: Path, parse: Parse) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "tệp rỗng" in reject(parse, empty, "unreadable")
    path = xlsx(tmp_path, {"PBGDPL": pbgdpl()})
    assert "tệp quá lớn" in reject(parse, path, "too_large", limits=Limits(max_file_bytes=100))


def test_unexpected_errors_become_unreadable(tmp_path: Path, parse: Parse) -> None:
    folder = tmp_path / "not_a_file.xlsx"
    folder.mkdir()
    result = parse(folder)
    assert result.rejection.code == "unreadable"
    assert result.warnings and "IsADirectoryError" in result.warnings[-1]


def test_every_code_has_a_minimal_case(tmp_path: Path, parse: Parse) -> None:
    """One small file per contract code, so the list of codes and the parser stay in step."""
    cases = write_unloadable_files(tmp_path)
    cases["too_large"] = _bytes(tmp_path / "b.csv", b"x" * 200)
    assert set(cases) == ALL_CODES
    for code, path in cases.items():
        limits = Limits(max_file_bytes=100) if code == "too_large" else Limits()
        reject(parse, path, code, limits=limits)


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path

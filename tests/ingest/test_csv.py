"""The long CSV format: delimiters, encodings, groups, and line numbers in messages."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.model import ParseResult
from tests.ingest.builders import csv_text, to_cp1258, write_csv

Parse = Callable[..., ParseResult]

ROWS = [
    ("STP-10", 2022, "PBGDPL", "", "sessions", "27.430"),
    ("STP-10", 2022, "PBGDPL", "", "attendees", "1.826.513"),
    ("STP-10", 2022, "PBGDPL", "Huyện Bát Xát", "sessions", "120"),
    ("STP-10", 2022, "HOAGIAI", "", "cases_received", "3.247"),
    ("STP-10", 2022, "HOAGIAI", "", "success_rate", "84,82"),
    ("THADS-10", 2022, "THADS_VIEC", "", "eligible", "24.196"),
    ("THADS-10", 2022, "THADS_VIEC", "", "resolution_rate", "89,68%"),
]


def test_groups_become_submissions(tmp_path: Path, parse: Parse) -> None:
    result = parse(write_csv(tmp_path / "export.csv", ROWS))
    assert result.rejection is None, result.rejection
    assert result.file_kind == "csv"
    keys = [(s.unit_code, s.year, s.form) for s in result.submissions]
    assert keys == [("STP-10", 2022, "PBGDPL"), ("STP-10", 2022, "HOAGIAI"),
                    ("THADS-10", 2022, "THADS_VIEC")]
    pbgdpl = result.submissions[0]
    assert pbgdpl.sheet_name is None and pbgdpl.report_date is None
    assert [(v.subunit, v.subunit_order, v.indicator, v.value, v.source_cell)
            for v in pbgdpl.values] == [
        (None, 0, "sessions", 27430, "line 2"), (None, 0, "attendees", 1826513, "line 3"),
        ("Huyện Bát Xát", 1, "sessions", 120, "line 4")]
    rate = result.submissions[2].values[1]
    assert (rate.value, rate.decimals) == (89.68, 2)


def test_semicolon_windows_1258(tmp_path: Path, parse: Parse) -> None:
    rows = [("STP-10", 2022, "PBGDPL", "Huyện Bắc Hà", "sessions", "1.234"),
            ("STP-10", 2022, "PBGDPL", "Thị xã Sa Pa", "sessions", "89"),
            ("STP-10", 2022, "PBGDPL", "Tổng cộng", "sessions", "1.323")]
    path = write_csv(tmp_path / "excel_vn.csv", rows, delimiter=";", encoding="cp1258")
    raw = path.read_bytes()
    assert b"\xd2" in raw or b"\xec" in raw  # tone marks stored as cp1258 combining characters
    result = parse(path)
    assert result.rejection is None, result.rejection
    (sub,) = result.submissions
    names = [v.subunit for v in sub.values]
    assert names == ["Huyện Bắc Hà", "Thị xã Sa Pa", None]
    assert all(n is None or unicodedata.is_normalized("NFC", n) for n in names)
    assert any("cp1258" in w for w in result.warnings)


def test_utf8_bom_and_header_case(tmp_path: Path, parse: Parse) -> None:
    path = write_csv(tmp_path / "bom.csv", ROWS[:1], bom=True,
                     header=(" Unit_Code ", "YEAR", "Form", "SubUnit", "Indicator", "Value"))
    result = parse(path)
    assert result.rejection is None, result.rejection
    assert result.submissions[0].values[0].value == 27430


def test_reordered_and_extra_columns(tmp_path: Path, parse: Parse) -> None:
    header = ("value", "indicator", "note", "subunit", "form", "year", "unit_code")
    rows = [("12", "teams", "ghi chú", "", "HOAGIAI", "2023", "STP-14")]
    result = parse(write_csv(tmp_path / "r.csv", rows, header=header))
    assert result.rejection is None, result.rejection
    assert result.submissions[0].unit_code == "STP-14"
    assert any("note" in w for w in result.warnings)


def test_quoted_fields_and_physical_line_numbers(tmp_path: Path, parse: Parse) -> None:
    """A quoted field may span lines; messages count physical lines of the file."""
    text = csv_text([
        ("STP-10", 2022, "PBGDPL", "Huyện A, B\nvà C", "sessions", "1"),  # lines 2-3
        ("STP-10", 2022, "PBGDPL", "", "sessions", "1"),  # line 4
        ("STP-10", 2022, "PBGDPL", "", "attendees", "12a"),  # line 5
    ])
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    rejection = parse(path).rejection
    assert rejection.code == "not_a_number"
    assert rejection.message == 'Tệp "x.csv", dòng 5: giá trị "12a" không phải là số.'
    assert (rejection.year, rejection.unit_code) == (2022, "STP-10")


def test_blank_values_are_not_reported(tmp_path: Path, parse: Parse) -> None:
    rows = [("STP-10", 2022, "PBGDPL", "", "sessions", ""),
            ("STP-10", 2022, "PBGDPL", "", "documents", "5")]
    (sub,) = parse(write_csv(tmp_path / "r.csv", rows)).submissions
    assert [(v.indicator, v.value) for v in sub.values] == [("documents", 5)]


def test_unit_name_in_the_code_column(tmp_path: Path, parse: Parse) -> None:
    rows = [("Sở Tư pháp tỉnh Lào Cai", 2025, "PBGDPL", "", "sessions", "5")]
    (sub,) = parse(write_csv(tmp_path / "r.csv", rows)).submissions
    assert (sub.unit_code, sub.unit_name_reported) == ("STP-15", "Sở Tư pháp tỉnh Lào Cai")


def test_several_years_in_one_file(tmp_path: Path, parse: Parse) -> None:
    rows = [("THADS-10", 2024, "THADS_TIEN", "", "accepted", "10"),
            ("THADS-15", 2025, "THADS_TIEN", "", "accepted", "20")]
    result = parse(write_csv(tmp_path / "r.csv", rows))
    assert result.years == (2024, 2025)
    assert [s.province_code for s in result.submissions] == ["10", "15"]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (("unit", "year", "form", "subunit", "indicator", "value"), "thiếu cột unit_code"),
        (("a", "b"), "dòng đầu tiên phải là tiêu đề"),
    ],
)
def test_missing_header(tmp_path: Path, parse: Parse, header: tuple[str, ...],
                        fragment: str) -> None:
    rejection = parse(write_csv(tmp_path / "r.csv", ROWS[:1], header=header)).rejection
    assert rejection.code == "missing_header"
    assert rejection.message.startswith('Tệp "r.csv", dòng 1: ') and fragment in rejection.message


def test_headerless_data_is_missing_header(tmp_path: Path, parse: Parse) -> None:
    rejection = parse(write_csv(tmp_path / "r.csv", ROWS, header=None)).rejection
    assert rejection.code == "missing_header"


def test_cp1258_helper_round_trips() -> None:
    text = "Thành phố Điện Biên Phủ, huyện Mường Nhé, xã Nậm Kè"
    assert unicodedata.normalize("NFC", to_cp1258(text).decode("cp1258")) == text


@pytest.mark.parametrize(
    ("bad", "code", "where"),
    [
        (("STP-10", 2022, "PBGDPL", "Huyện C", "sessions", "-3"), "negative", "dòng 5"),
        (("STP-10", 2022, "PBGDPL", "Huyện B", "sessions", "1"), "duplicate_indicator",
         "dòng 5"),
        (("STP-10", "20x2", "PBGDPL", "Huyện C", "sessions", "1"), "year_invalid", "dòng 5"),
        (("STP-10", 2022, "THADS_VIEC", "Huyện C", "new", "1"), "form_not_for_unit", "dòng 5"),
    ],
)
def test_a_bad_line_like_the_good_ones_fails_at_its_own_line(
        tmp_path: Path, parse: Parse, bad: tuple[object, ...], code: str, where: str) -> None:
    """Lines spelling the same unit, year, form and indicator are checked once per file; the
    first bad line is still the one named, with its own number."""
    rows = [("STP-10", 2022, "PBGDPL", "Huyện A", "sessions", "1"),
            ("STP-10", 2022, "PBGDPL", "Huyện B", "sessions", "2"),
            ("STP-10", 2022, "PBGDPL", "Huyện A", "attendees", "3"),
            bad,
            ("STP-10", 2022, "PBGDPL", "Huyện D", "sessions", "-1")]
    rejection = parse(write_csv(tmp_path / "r.csv", rows)).rejection
    assert rejection.code == code
    assert rejection.message.startswith(f'Tệp "r.csv", {where}: ')
    assert rejection.year == (2022 if code != "year_invalid" else None)
    assert rejection.unit_code == ("STP-10" if code != "year_invalid" else None)

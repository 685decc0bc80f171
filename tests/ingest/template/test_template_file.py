"""What a template file holds: the unit's metadata for the year, locked labels, unlocked and
validated inputs, checks with empty cached values, and Vietnamese prompts that fit Excel."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from ingest.forms import FORM_COLUMNS, UNIT_TYPE_FORMS
from ingest.reference import Registry
from ingest.template import TemplateError, names_by_form, write_template
from ingest.template.layout import (
    META_ROWS,
    META_VALUE_COL,
    NAME_COL,
    NUMBER_ROW,
    identity_formula,
    plan_sheet,
    total_check_formula,
)
from ingest.template.wording import INSTRUCTIONS_SHEET, PROMPTS, column_label

NAMES = ["Phòng Tư pháp huyện Bảo Lạc", "Phòng Tư pháp huyện Hà Quảng"]


@pytest.fixture
def thads_template(tmp_path: Path, registry: Registry) -> Path:
    return write_template("THADS-04", 2023, tmp_path / "t.xlsx", subunit_names=NAMES,
                          registry=registry)


def test_prompts_fit_excel_limits() -> None:
    """xlsxwriter silently drops a prompt whose title exceeds 32 or message 255 characters."""
    for prompt in PROMPTS:
        assert len(prompt.input_title) <= 32 and len(prompt.error_title) <= 32
        assert len(prompt.input_message) <= 255 and len(prompt.error_message) <= 255


def test_sheets_metadata_and_column_numbers(thads_template: Path, registry: Registry) -> None:
    book = openpyxl.load_workbook(thads_template)
    assert book.sheetnames == [INSTRUCTIONS_SHEET, "THADS_VIEC", "THADS_TIEN"]
    unit = registry.unit("THADS-04", 2023)
    assert unit is not None
    for form in UNIT_TYPE_FORMS["THADS"]:
        ws = book[form]

        def value(row: int, col: int, sheet: object = ws) -> object:
            return sheet.cell(row + 1, col + 1).value  # type: ignore[attr-defined]

        assert value(META_ROWS["unit_name"], NAME_COL) == "Đơn vị báo cáo:"
        assert value(META_ROWS["unit_name"], META_VALUE_COL) == unit.unit_name
        assert value(META_ROWS["unit_code"], META_VALUE_COL) == "THADS-04"
        assert value(META_ROWS["year"], META_VALUE_COL) == 2023
        assert value(META_ROWS["report_date"], NAME_COL) == "Ngày lập báo cáo:"
        assert value(META_ROWS["report_date"], META_VALUE_COL) is None
        assert value(META_ROWS["preparer"], NAME_COL) == "Người lập biểu:"
        assert value(META_ROWS["preparer"], META_VALUE_COL) is None
        plan = plan_sheet(form, NAMES)
        numbers = {value(NUMBER_ROW, plan.col(n)): n for n in [1, *FORM_COLUMNS[form]]}
        assert numbers == {f"({n})": n for n in [1, *FORM_COLUMNS[form]]}
        for n, indicator in FORM_COLUMNS[form].items():
            assert value(NUMBER_ROW - 1, plan.col(n)) == column_label(form, indicator)
        assert [value(r, NAME_COL) for r in plan.subunit_rows][:3] == [*NAMES, None]
        assert value(plan.total_row, NAME_COL) == "Tổng cộng"


def _unlocked(ws: object) -> set[tuple[int, int]]:
    return {(c.row - 1, c.column - 1) for row in ws.iter_rows() for c in row  # type: ignore
            if c.protection.locked is False}


def test_only_inputs_are_unlocked_and_sheets_protected_without_password(
        thads_template: Path) -> None:
    book = openpyxl.load_workbook(thads_template)
    for ws in book.worksheets:
        assert ws.protection.sheet is True
        assert not ws.protection.password
    assert _unlocked(book[INSTRUCTIONS_SHEET]) == set()
    for form in UNIT_TYPE_FORMS["THADS"]:
        plan = plan_sheet(form, NAMES)
        inputs = {(META_ROWS["report_date"], META_VALUE_COL), (META_ROWS["preparer"],
                                                                META_VALUE_COL)}
        inputs |= {(r, NAME_COL) for r in plan.subunit_rows}
        inputs |= {(r, c) for r in plan.data_rows for c, _ in plan.value_cols}
        assert _unlocked(book[form]) == inputs


def test_inputs_are_validated_with_vietnamese_prompts(thads_template: Path) -> None:
    ws = openpyxl.load_workbook(thads_template)["THADS_VIEC"]
    plan = plan_sheet("THADS_VIEC", NAMES)
    rules = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.promptTitle and dv.prompt and dv.errorTitle and dv.error  # none dropped
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
        for cell_range in dv.sqref.ranges:
            rules[cell_range.coord] = (dv.type, dv.operator, dv.formula1, dv.formula2)
    first, total = plan.subunit_rows.start + 1, plan.total_row + 1
    assert rules[f"C{first}:C{total}"] == ("whole", "greaterThanOrEqual", "0", None)
    assert rules[f"O{first}:O{total}"] == ("decimal", None, "0", "100")  # "between": default
    assert rules[f"C{META_ROWS['report_date'] + 1}"][0] == "date"
    assert "Số nguyên" in next(dv.promptTitle for dv in ws.data_validations.dataValidation
                               if dv.type == "whole")


def test_formulas_carry_an_empty_cached_value(thads_template: Path) -> None:
    """xlsxwriter's default cached 0 would be read by calamine as a reported zero."""
    with zipfile.ZipFile(thads_template) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode()
                formulas = re.findall(r"<f>[^<]*</f>(<v>[^<]*</v>|<v/>)?", xml)
                assert all(cached in ("<v></v>", "<v/>") for cached in formulas), name
    book = CalamineWorkbook.from_path(str(thads_template))
    for form in UNIT_TYPE_FORMS["THADS"]:
        cells = [c for row in book.get_sheet_by_name(form).to_python() for c in row]
        numbers = [c for c in cells if isinstance(c, (int, float)) and not isinstance(c, bool)]
        stt = list(range(1, len(NAMES) + 6))  # only the STT numbers and the year are numbers
        assert sorted(numbers) == sorted([float(n) for n in stt] + [2023.0])


def test_check_formulas() -> None:
    plan = plan_sheet("THADS_VIEC", NAMES)  # sub-unit rows 12-18 (A1), total row 19
    assert plan.total_row + 1 == 19
    assert total_check_formula(plan, plan.indicator_col("carried_over")) == (
        '=IF(OR(COUNT(C19)=0,COUNT(C12:C18)=0),"",C19-SUM(C12:C18))')
    by_label = {i.label(plan.numbers): i for i in plan.identities}
    assert identity_formula(plan, by_label["Chênh lệch (7) − [(4) − (5) − (6)]"], 11) == (
        '=IF(COUNT(H12,E12,F12,G12)<4,"",H12-(E12-F12-G12))')
    assert identity_formula(plan, by_label["Chênh lệch (13) − [(7) − (12)]"], 18) == (
        '=IF(COUNT(N19,H19,M19)<3,"",N19-(H19-M19))')
    assert min(i.column for i in plan.identities) > plan.last_table_col + 1  # outside the table
    assert plan_sheet("PBGDPL").identities == ()


def test_checks_are_highlighted_when_not_zero(thads_template: Path) -> None:
    ws = openpyxl.load_workbook(thads_template)["THADS_VIEC"]
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    plan = plan_sheet("THADS_VIEC", NAMES)
    check, total = plan.check_row + 1, plan.total_row + 1
    assert rules[f"C{total}"] == [f"AND(ISNUMBER($C${check}),$C${check}<>0)"]
    assert rules[f"Q12:Q{total}"] == ["AND(ISNUMBER($Q12),$Q12<>0)"]
    assert rules[f"E12:E{total}"] == ["AND(ISNUMBER($Q12),$Q12<>0)"]  # (4), the checked cell
    assert f"O{total}" not in rules  # a rate does not add up over sub-units


@pytest.mark.parametrize(("unit_code", "year", "name"), [
    ("THADS-15", 2024, "Cục Thi hành án dân sự tỉnh Yên Bái"),
    ("THADS-15", 2025, "Thi hành án dân sự tỉnh Lào Cai"),
    ("STP-15", 2025, "Sở Tư pháp tỉnh Lào Cai"),
    ("THADS-08", 2025, "Thi hành án dân sự tỉnh Tuyên Quang"),
])
def test_unit_name_is_the_one_valid_in_the_year(unit_code: str, year: int, name: str,
                                                tmp_path: Path, registry: Registry) -> None:
    path = write_template(unit_code, year, tmp_path / "t.xlsx", registry=registry)
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets[1:]:
        assert ws.cell(META_ROWS["unit_name"] + 1, META_VALUE_COL + 1).value == name


@pytest.mark.parametrize(("unit_code", "year", "says"), [
    ("THADS-10", 2025, "THADS-15"),  # merged away: says which unit to report as
    ("STP-99", 2022, "STP-99"),
    ("THA-10", 2022, "STP-PP"),
    ("STP-10", 1990, "1990"),
])
def test_no_template_for_a_unit_not_valid_that_year(unit_code: str, year: int, says: str,
                                                    tmp_path: Path, registry: Registry) -> None:
    with pytest.raises(TemplateError, match=says):
        write_template(unit_code, year, tmp_path / "t.xlsx", registry=registry)
    assert not (tmp_path / "t.xlsx").exists()


def test_same_arguments_same_bytes(tmp_path: Path, registry: Registry) -> None:
    first = write_template("STP-04", 2024, tmp_path / "a.xlsx", registry=registry)
    second = write_template("STP-04", 2024, tmp_path / "b.xlsx", registry=registry)
    assert first.read_bytes() == second.read_bytes()


def test_names_by_form() -> None:
    forms = ("THADS_VIEC", "THADS_TIEN")
    assert names_by_form(None, forms) == {"THADS_VIEC": [], "THADS_TIEN": []}
    assert names_by_form([" A  b ", "a B", "", "C"], forms) == {"THADS_VIEC": ["A b", "C"],
                                                                "THADS_TIEN": ["A b", "C"]}
    assert names_by_form({"THADS_TIEN": ["X"]}, forms) == {"THADS_VIEC": [], "THADS_TIEN": ["X"]}
    with pytest.raises(TypeError):
        names_by_form("A", forms)

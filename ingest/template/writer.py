"""Write the blank workbook a unit fills in (report-format.md, "Blank templates").

One sheet per form of the unit's type, laid out as ingest.template.layout plans it, after an
instructions sheet ("Hướng dẫn") that the reader ignores. What the unit types goes into unlocked,
validated cells; everything else is locked by sheet protection without a password, so nobody is
ever locked out of their own report.

Pitfalls this module is written around (measured, see the stack notes):
- xlsxwriter stores 0 as a formula's cached result unless given one, and calamine reads that
  cached 0 as a reported zero: every formula is written with an empty cached value and gives ""
  while its inputs are empty, so "not reported" stays "not reported";
- xlsxwriter only warns when it drops a validation prompt that is too long: warnings are errors
  while the workbook is written;
- text from outside (sub-unit names from an earlier report) is written as text, never as a
  formula (`strings_to_formulas=False`), and formula-like names get Excel's quote prefix.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ingest.constants import reporting_years
from ingest.errors import TuphapError
from ingest.forms import UNIT_TYPE_FORMS
from ingest.identity import resolve_unit_code
from ingest.reference import Registry, Unit, load_registry
from ingest.safe_text import formula_like
from ingest.template import wording
from ingest.template.layout import (
    FIRST_DATA_ROW,
    LABEL_ROW,
    META_ROWS,
    META_VALUE_COL,
    NAME_COL,
    NUMBER_ROW,
    PERIOD_ROW,
    STT_COL,
    TITLE_ROW,
    SheetPlan,
    identity_formula,
    is_summable,
    plan_sheet,
    total_check_formula,
)
from ingest.text import Problem

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "in_memory": True}
MAX_NAME_CHARS = 200
INPUT_FILL = "#FFF2CC"
ALERT = {"bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True}
SubunitNames = Mapping[str, Sequence[str]] | Sequence[str] | None


class TemplateError(TuphapError, ValueError):
    """The template cannot be made (unknown unit, unit not valid that year, year out of range);
    the message is Vietnamese, for the officer who asked."""


def template_unit(registry: Registry, unit_code: str, year: int) -> Unit:
    """The unit version valid in `year`, or TemplateError saying why not (for a unit merged away,
    which unit to report as instead)."""
    years = reporting_years()
    if year not in years:
        raise TemplateError(f"năm {year} nằm ngoài các năm kho dữ liệu nhận báo cáo "
                            f"({years.start}–{years.stop - 1})")
    try:
        return resolve_unit_code(registry, unit_code, year, "")
    except Problem as problem:
        raise TemplateError(problem.what) from problem


def names_by_form(subunit_names: SubunitNames, forms: Sequence[str]) -> dict[str, list[str]]:
    """The sub-unit names of each form: one list for every form, or a list per form."""
    if subunit_names is None:
        return {form: [] for form in forms}
    if isinstance(subunit_names, str):
        raise TypeError("subunit_names is a list of names (or a mapping form -> names), not a str")
    if isinstance(subunit_names, Mapping):
        return {form: _clean(subunit_names.get(form, ())) for form in forms}
    names = _clean(subunit_names)
    return {form: list(names) for form in forms}


def _clean(names: Sequence[str]) -> list[str]:
    """Names as the unit will see them: no blanks, no duplicates (the reader would reject a
    sub-unit given twice), nothing longer than the name cells accept."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        text = " ".join(str(name).split())[:MAX_NAME_CHARS]
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def write_template(unit_code: str, year: int, out_path: Path | str, *,
                   subunit_names: SubunitNames = None,
                   registry: Registry | None = None) -> Path:
    """Write the template of `unit_code` for reporting year `year` to `out_path` (.xlsx).

    `subunit_names` pre-fills the sub-unit rows (one list for every form, or a mapping form ->
    names), e.g. from `fetch_subunit_names`. The file is written whole or not at all.
    """
    registry = registry if registry is not None else load_registry()
    unit = template_unit(registry, unit_code, year)
    forms = UNIT_TYPE_FORMS[unit.unit_type]
    names = names_by_form(subunit_names, forms)
    plans = [plan_sheet(form, names[form]) for form in forms]
    first, last = registry.period(unit.unit_type, year)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a dropped prompt or a bad range is a bug, not a note
        book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
        book.set_properties({"title": f"Biểu mẫu báo cáo năm {year} - {unit.unit_name}",
                             "author": "tuphap template", "created": _created(year)})
        styles = _Styles(book)
        _instructions_sheet(book, styles, unit, year, forms)
        for plan in plans:
            _form_sheet(book.add_worksheet(plan.form), styles, plan, unit, year,
                        (first.strftime("%d/%m/%Y"), last.strftime("%d/%m/%Y")))
        book.close()
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, out)
    return out


def _created(year: int) -> datetime:
    """A fixed creation date rather than the clock, so the same template is the same file."""
    return datetime(year, 1, 1)


class _Styles:
    """The cell formats of one workbook (xlsxwriter formats belong to their workbook)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "valign": "vcenter"}
        unlocked = {**border, "locked": False, "bg_color": INPUT_FILL}
        self.title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
        self.period = book.add_format({"italic": True, "align": "center"})
        self.meta_label = book.add_format({"bold": True})
        self.meta_value = book.add_format({"bold": True, "align": "left"})
        self.meta_input = book.add_format({**unlocked, "num_format": "@"})
        self.date_input = book.add_format({**unlocked, "num_format": "dd/mm/yyyy",
                                           "align": "left"})
        self.header = book.add_format({**border, "bold": True, "text_wrap": True,
                                       "align": "center", "bg_color": "#D9E1F2"})
        self.number = book.add_format({**border, "italic": True, "align": "center",
                                       "bg_color": "#D9E1F2"})
        self.stt = book.add_format({**border, "align": "center"})
        self.name_input = book.add_format({**unlocked, "num_format": "@"})
        self.name_quoted = book.add_format({**unlocked, "num_format": "@", "quote_prefix": True})
        self.count_input = book.add_format({**unlocked, "num_format": "#,##0"})
        self.rate_input = book.add_format({**unlocked, "num_format": "0.00"})
        self.total_label = book.add_format({**border, "bold": True})
        self.total_count = book.add_format({**unlocked, "bold": True, "num_format": "#,##0"})
        self.total_rate = book.add_format({**unlocked, "bold": True, "num_format": "0.00"})
        self.check = book.add_format({**border, "italic": True, "font_color": "#595959",
                                      "num_format": "#,##0;-#,##0;0", "align": "right"})
        self.check_label = book.add_format({"italic": True, "bold": True, "text_wrap": True})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.alert = book.add_format(ALERT)
        self.plain = book.add_format({"text_wrap": False})


def _protect(sheet: Worksheet) -> None:
    """Sheet protection without a password: locked cells cannot be typed over by mistake, and
    anyone can still lift it (Review > Unprotect Sheet) to add rows."""
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                       "format_columns": True, "format_rows": True})


def _validation(prompt: wording.Prompt, rule: dict[str, object]) -> dict[str, object]:
    return {**rule, "input_title": prompt.input_title, "input_message": prompt.input_message,
            "error_title": prompt.error_title, "error_message": prompt.error_message,
            "error_type": "stop"}


COUNT_RULE = _validation(wording.COUNT_PROMPT, {"validate": "integer", "criteria": ">=",
                                                "value": 0})
RATE_RULE = _validation(wording.RATE_PROMPT, {"validate": "decimal", "criteria": "between",
                                              "minimum": 0, "maximum": 100})
DATE_RULE = _validation(wording.DATE_PROMPT, {"validate": "date", "criteria": "between",
                                              "minimum": date(2000, 1, 1),
                                              "maximum": date(2100, 12, 31)})
NAME_RULE = _validation(wording.NAME_PROMPT, {"validate": "length", "criteria": "<=",
                                              "value": MAX_NAME_CHARS})


def _instructions_sheet(book: xlsxwriter.Workbook, styles: _Styles, unit: Unit, year: int,
                        forms: Sequence[str]) -> None:
    sheet = book.add_worksheet(wording.INSTRUCTIONS_SHEET)
    sheet.set_column(0, 0, 120)
    for row, line in enumerate(wording.instructions(unit.unit_name, unit.unit_code, year,
                                                    tuple(forms))):
        sheet.write_string(row, 0, line, styles.title if row == 0 else styles.plain)
    _protect(sheet)


def _form_sheet(sheet: Worksheet, styles: _Styles, plan: SheetPlan, unit: Unit, year: int,
                period: tuple[str, str]) -> None:
    _sheet_head(sheet, styles, plan, unit, year, period)
    _table(sheet, styles, plan)
    _checks(sheet, styles, plan)
    _protect(sheet)
    sheet.freeze_panes(FIRST_DATA_ROW, NAME_COL + 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(LABEL_ROW, NUMBER_ROW)


def _sheet_head(sheet: Worksheet, styles: _Styles, plan: SheetPlan, unit: Unit, year: int,
                period: tuple[str, str]) -> None:
    """Title, period and the metadata lines, each label followed by its value."""
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, plan.last_table_col,
                      wording.title(plan.form, year), styles.title)
    sheet.merge_range(PERIOD_ROW, 0, PERIOD_ROW, plan.last_table_col,
                      wording.period_line(*period), styles.period)
    for key, row in META_ROWS.items():
        sheet.write_string(row, NAME_COL, wording.META_LABELS_VI[key], styles.meta_label)
    sheet.write_string(META_ROWS["unit_name"], META_VALUE_COL, unit.unit_name, styles.meta_value)
    sheet.write_string(META_ROWS["unit_code"], META_VALUE_COL, unit.unit_code, styles.meta_value)
    sheet.write_number(META_ROWS["year"], META_VALUE_COL, year, styles.meta_value)
    date_row, preparer_row = META_ROWS["report_date"], META_ROWS["preparer"]
    sheet.write_blank(date_row, META_VALUE_COL, None, styles.date_input)
    sheet.data_validation(date_row, META_VALUE_COL, date_row, META_VALUE_COL, DATE_RULE)
    sheet.write_blank(preparer_row, META_VALUE_COL, None, styles.meta_input)


def _table(sheet: Worksheet, styles: _Styles, plan: SheetPlan) -> None:
    """Column labels, column numbers, the sub-unit rows and the total row."""
    sheet.set_column(STT_COL, STT_COL, 5)
    sheet.set_column(NAME_COL, NAME_COL, 36)
    sheet.set_column(NAME_COL + 1, plan.last_table_col, 14 if len(plan.columns) > 8 else 17)
    sheet.set_row(LABEL_ROW, 90)
    sheet.write_string(LABEL_ROW, STT_COL, wording.STT_LABEL, styles.header)
    sheet.write_string(LABEL_ROW, NAME_COL, wording.NAME_LABEL, styles.header)
    sheet.write_blank(NUMBER_ROW, STT_COL, None, styles.number)
    sheet.write_string(NUMBER_ROW, NAME_COL, "(1)", styles.number)
    for col, indicator in plan.value_cols:
        sheet.write_string(LABEL_ROW, col, wording.column_label(plan.form, indicator),
                           styles.header)
        sheet.write_string(NUMBER_ROW, col, f"({plan.numbers[indicator]})", styles.number)

    for index, row in enumerate(plan.subunit_rows):
        sheet.write_number(row, STT_COL, index + 1, styles.stt)
        if index < len(plan.subunit_names):
            name = plan.subunit_names[index]
            sheet.write_string(row, NAME_COL, name,
                               styles.name_quoted if formula_like(name) else styles.name_input)
        else:
            sheet.write_blank(row, NAME_COL, None, styles.name_input)
        for col, indicator in plan.value_cols:
            fmt = styles.count_input if is_summable(indicator) else styles.rate_input
            sheet.write_blank(row, col, None, fmt)
    total = plan.total_row
    sheet.write_blank(total, STT_COL, None, styles.stt)
    sheet.write_string(total, NAME_COL, wording.TOTAL_LABEL, styles.total_label)
    for col, indicator in plan.value_cols:
        fmt = styles.total_count if is_summable(indicator) else styles.total_rate
        sheet.write_blank(total, col, None, fmt)

    first, last = plan.subunit_rows.start, plan.subunit_rows.stop - 1
    sheet.data_validation(first, NAME_COL, last, NAME_COL, NAME_RULE)
    for col, indicator in plan.value_cols:
        rule = COUNT_RULE if is_summable(indicator) else RATE_RULE
        sheet.data_validation(first, col, total, col, rule)
    # A row with figures but no name is rejected by the reader: show it before sending.
    row_values = (f"{xl_rowcol_to_cell(first, NAME_COL + 1, col_abs=True)}:"
                  f"{xl_rowcol_to_cell(first, plan.last_table_col, col_abs=True)}")
    name_cell = xl_rowcol_to_cell(first, NAME_COL, col_abs=True)
    sheet.conditional_format(first, NAME_COL, last, NAME_COL, {
        "type": "formula", "criteria": f"=AND(LEN({name_cell})=0,COUNT({row_values})>0)",
        "format": styles.alert})


def _alert_when_nonzero(sheet: Worksheet, styles: _Styles, first_row: int, first_col: int,
                        last_row: int, last_col: int, check_cell: str) -> None:
    """Highlight a range when `check_cell` (relative to its top-left cell) is a non-zero
    number; an empty check ("" while not reported) stays plain."""
    sheet.conditional_format(first_row, first_col, last_row, last_col, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({check_cell}),{check_cell}<>0)",
        "format": styles.alert})


def _checks(sheet: Worksheet, styles: _Styles, plan: SheetPlan) -> None:
    """The visible checks: total minus the sum of the sub-units under the table, the THADS
    identities right of it. They only show differences; they never fill in a figure."""
    check_row = plan.check_row
    sheet.write_string(check_row, NAME_COL, wording.TOTAL_CHECK_LABEL, styles.check_label)
    for col, indicator in plan.value_cols:
        if not is_summable(indicator):
            continue
        sheet.write_formula(check_row, col, total_check_formula(plan, col), styles.check, "")
        check = xl_rowcol_to_cell(check_row, col, row_abs=True, col_abs=True)
        _alert_when_nonzero(sheet, styles, check_row, col, check_row, col, check)
        _alert_when_nonzero(sheet, styles, plan.total_row, col, plan.total_row, col, check)

    rows = plan.data_rows
    for identity in plan.identities:
        col = identity.column
        sheet.set_column(col, col, 15)
        sheet.write_string(LABEL_ROW, col, identity.label(plan.numbers), styles.header)
        sheet.write_blank(NUMBER_ROW, col, None, styles.number)
        for row in rows:
            sheet.write_formula(row, col, identity_formula(plan, identity, row), styles.check, "")
        # Column fixed, row relative: each highlighted cell looks at its own row's check.
        relative = xl_rowcol_to_cell(rows.start, col, col_abs=True)
        _alert_when_nonzero(sheet, styles, rows.start, col, rows.stop - 1, col, relative)
        checked_col = plan.indicator_col(identity.checked)
        _alert_when_nonzero(sheet, styles, rows.start, checked_col, rows.stop - 1, checked_col,
                            relative)

    legend_row = check_row + 2
    sheet.write_string(legend_row, NAME_COL, wording.LEGEND, styles.note)
    signature_row = legend_row + 2
    left, right = NAME_COL, max(NAME_COL + 3, plan.last_table_col - 2)
    for offset, (left_text, right_text) in enumerate((wording.SIGNATURE,
                                                      wording.SIGNATURE_NOTE)):
        fmt = styles.meta_label if offset == 0 else styles.note
        sheet.write_string(signature_row + offset, left, left_text, fmt)
        sheet.write_string(signature_row + offset, right, right_text, fmt)


__all__ = ["TemplateError", "names_by_form", "template_unit", "write_template"]

"""A filled template loads with exactly the figures typed; an untouched one is rejected.

Each template is written by the real writer, filled with openpyxl in its unlocked cells as a
person would type, saved, and read by the project's real parser (ingest.parse.parse_file).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ingest.forms import FORM_COLUMNS, RATE_INDICATORS, UNIT_TYPE_FORMS
from ingest.model import ParseResult
from ingest.reference import Registry
from ingest.template import write_template
from ingest.template.layout import SheetPlan, plan_sheet
from tests.ingest.template.filling import (
    Typed,
    as_libreoffice_saves_empty_results,
    figures_read,
    fill,
    libreoffice_round_trip,
)

NAMES = ["Phòng Tư pháp huyện Bát Xát", "Phòng Tư pháp huyện Mường Khương",
         "Phòng Tư pháp huyện Si Ma Cai", "Phòng Tư pháp thị xã Sa Pa"]

# (unit, year): every unit type, several years, and 2025 successors of merged provinces
# (THADS-15 and STP-15 are Lào Cai's from 2025, STP-08 and THADS-08 Tuyên Quang's with Hà Giang).
CASES = [("STP-10", 2018), ("THADS-02", 2022), ("STP-20", 2024), ("THADS-14", 2025),
         ("STP-14", 2025), ("THADS-15", 2025), ("STP-08", 2025)]


def _figure(indicator: str, seed: int) -> float:
    """A plausible figure: a rate with two decimals, otherwise a whole number (some large)."""
    if indicator in RATE_INDICATORS:
        return round(50 + (seed * 7.31) % 49, 2)
    return float((seed * 7919) % 100_000 + (10**9 if seed % 11 == 0 else 0))


def typical_filling(plan: SheetPlan, seed: int) -> Typed:
    """What a unit typically types: figures for the first and third pre-filled sub-units (the
    second left blank: not reported), a new sub-unit named in a blank row further down, a few
    cells left empty, a zero, and the total row."""
    typed = Typed()
    rows = plan.subunit_rows
    new_row = rows.start + len(plan.subunit_names) + 2  # a gap of blank rows before it
    filled_rows = [rows.start, rows.start + 2, new_row, plan.total_row]
    for number, row in enumerate(filled_rows[:-1]):
        if row - rows.start >= len(plan.subunit_names):  # a blank row: the unit names it
            typed.names[row] = f"Phòng Thi hành án dân sự khu vực {number + 1}"
    for r_index, row in enumerate(filled_rows):
        for c_index, indicator in enumerate(FORM_COLUMNS[plan.form].values()):
            if (r_index + c_index) % 5 == 4:
                continue  # left empty: not reported
            value = 0.0 if (r_index, c_index) == (1, 1) else _figure(indicator, seed + r_index
                                                                     * 31 + c_index)
            typed.figures[(row, indicator)] = value
    return typed


@pytest.fixture
def make_template(tmp_path: Path, registry: Registry) -> Callable[..., tuple[Path, list]]:
    def make(unit_code: str, year: int, names: list[str] | None = None
             ) -> tuple[Path, list[SheetPlan]]:
        unit = registry.unit(unit_code, year)
        assert unit is not None
        path = write_template(unit_code, year, tmp_path / f"{unit_code}_{year}.xlsx",
                              subunit_names=names, registry=registry)
        plans = [plan_sheet(form, names or ()) for form in UNIT_TYPE_FORMS[unit.unit_type]]
        return path, plans

    return make


def _assert_loaded_as_typed(result: ParseResult, registry: Registry, unit_code: str, year: int,
                            plans: list[SheetPlan], typed: dict[str, Typed],
                            report_date: date) -> None:
    assert result.rejection is None, result.rejection
    unit = registry.unit(unit_code, year)
    assert unit is not None
    assert {s.form for s in result.submissions} == {p.form for p in plans}
    for submission in result.submissions:
        assert submission.unit_code == unit_code
        assert submission.year == year
        assert submission.unit_name_reported == unit.unit_name
        assert submission.report_date == report_date
    read = figures_read(result)
    for plan in plans:
        assert read[plan.form] == typed[plan.form].expected(plan)


@pytest.mark.parametrize(("unit_code", "year"), CASES)
def test_filled_template_loads_with_the_figures_typed(
        unit_code: str, year: int, make_template: Callable, parse: Callable,
        registry: Registry, tmp_path: Path) -> None:
    template, plans = make_template(unit_code, year, NAMES)
    typed = {plan.form: typical_filling(plan, seed=i + year) for i, plan in enumerate(plans)}
    report_date = date(year, 11, 15)
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed, report_date=report_date,
                  preparer="Nguyễn Thị Hoa")
    result = parse(filled, scope="national")
    _assert_loaded_as_typed(result, registry, unit_code, year, plans, typed, report_date)
    assert "sheet 'Hướng dẫn' ignored: not a form" in result.warnings


@pytest.mark.parametrize(("unit_code", "year"), [("THADS-14", 2025), ("STP-14", 2025)])
def test_acceptance_templates_load_in_the_cluster_scope(
        unit_code: str, year: int, make_template: Callable, parse: Callable,
        registry: Registry, tmp_path: Path) -> None:
    """The issue's acceptance: THADS-14 and STP-14, 2025, loaded as the cluster loads them."""
    template, plans = make_template(unit_code, year)
    typed = {plan.form: typical_filling(plan, seed=7) for plan in plans}
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed, report_date=date(2025, 12, 1))
    result = parse(filled, scope="cluster")
    _assert_loaded_as_typed(result, registry, unit_code, year, plans, typed, date(2025, 12, 1))


def test_total_only_and_no_names_known(make_template: Callable, parse: Callable,
                                       tmp_path: Path) -> None:
    """A unit that types only its total row, in a template without known sub-units."""
    template, plans = make_template("THADS-20", 2023)
    typed = {plan.form: Typed(figures={(plan.total_row, "carried_over"): 120.0,
                                       (plan.total_row, "resolution_rate"): 89.68})
             for plan in plans}
    result = parse(fill(template, tmp_path / "filled.xlsx", plans, typed), scope="cluster")
    assert result.rejection is None, result.rejection
    assert all(s.has_total_row and len(s.values) == 2 for s in result.submissions)
    assert figures_read(result)["THADS_TIEN"] == {(None, "carried_over"): 120.0,
                                                  (None, "resolution_rate"): 89.68}


def test_untouched_template_is_rejected_as_having_no_figures(
        make_template: Callable, parse: Callable) -> None:
    for unit_code, names in (("STP-10", NAMES), ("THADS-10", None)):
        template, _ = make_template(unit_code, 2022, names)
        result = parse(template, scope="cluster")
        assert result.rejection is not None
        assert result.rejection.code == "no_forms"
        assert "không có số liệu" in result.rejection.message
        assert result.rejection.unit_code == unit_code and result.rejection.year == 2022


def test_figures_in_a_row_without_a_name_are_rejected_at_that_row(
        make_template: Callable, parse: Callable, tmp_path: Path) -> None:
    """The blank rows hold only their STT number: figures typed there without naming the
    sub-unit are refused, with the row, rather than loaded under no name."""
    template, plans = make_template("STP-11", 2021)
    plan = plans[0]
    row = plan.subunit_rows.start + 3
    typed = {plan.form: Typed(figures={(row, "sessions"): 5.0, (plan.total_row, "sessions"): 5.0})}
    result = parse(fill(template, tmp_path / "filled.xlsx", plans, typed), scope="cluster")
    assert result.rejection is not None and result.rejection.code == "unit_missing"
    assert f"dòng {row + 1}" in result.rejection.message


def test_formula_like_names_stay_text(make_template: Callable, parse: Callable,
                                      tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://example.invalid","Phòng A")'
    template, plans = make_template("STP-12", 2024, [hostile, "+Phòng B"])
    typed = {plan.form: Typed(figures={(plan.subunit_rows.start, FORM_COLUMNS[plan.form][2]): 3.0,
                                       (plan.subunit_rows.start + 1,
                                        FORM_COLUMNS[plan.form][2]): 4.0})
             for plan in plans}
    result = parse(fill(template, tmp_path / "filled.xlsx", plans, typed), scope="cluster")
    assert result.rejection is None, result.rejection
    assert figures_read(result)["PBGDPL"] == {(hostile, "sessions"): 3.0,
                                              ("+Phòng B", "sessions"): 4.0}


def test_writing_a_template_raises_no_xlsxwriter_warning(tmp_path: Path,
                                                         registry: Registry) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for unit_code in ("STP-04", "THADS-04"):
            write_template(unit_code, 2024, tmp_path / f"{unit_code}.xlsx",
                           subunit_names=NAMES, registry=registry)


def test_libreoffice_round_trip(make_template: Callable, parse: Callable, registry: Registry,
                                tmp_path: Path) -> None:
    template, plans = make_template("THADS-14", 2025, NAMES)
    typed = {plan.form: typical_filling(plan, seed=3) for plan in plans}
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed, report_date=date(2025, 10, 20))
    saved = libreoffice_round_trip(filled, tmp_path / "libreoffice")
    if saved is None:
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    result = parse(saved, scope="cluster")
    _assert_loaded_as_typed(result, registry, "THADS-14", 2025, plans, typed, date(2025, 10, 20))


def test_empty_formula_results_as_libreoffice_saves_them_load(
        make_template: Callable, parse: Callable, registry: Registry, tmp_path: Path) -> None:
    """LibreOffice stores a formula whose result is "" as t="str" with an empty value: the
    check cells of a partly filled template look like that; the figures still load."""
    template, plans = make_template("THADS-11", 2024, NAMES)
    typed = {plan.form: typical_filling(plan, seed=5) for plan in plans}
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed, report_date=date(2024, 10, 5))
    saved = as_libreoffice_saves_empty_results(filled, tmp_path / "as_libreoffice.xlsx")
    result = parse(saved, scope="cluster")
    _assert_loaded_as_typed(result, registry, "THADS-11", 2024, plans, typed, date(2024, 10, 5))


def test_empty_string_results_are_not_noted_as_uncached(
        make_template: Callable, parse: Callable, tmp_path: Path) -> None:
    template, plans = make_template("THADS-11", 2024)
    typed = {plan.form: Typed(figures={(plan.total_row, "new"): 1.0}) for plan in plans}
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed)
    saved = as_libreoffice_saves_empty_results(filled, tmp_path / "as_libreoffice.xlsx")
    result = parse(saved, scope="cluster")
    assert result.rejection is None
    assert not [w for w in result.warnings if "without cached values" in w]

"""A long-format CSV report, checked line by line and grouped into submissions.

Each line names its unit, year, form, sub-unit and indicator; the checks are those a workbook
gets (ingest.workbook_submissions), in the same order, and a problem names its line. A file
repeats the same texts line after line, so each distinct spelling is checked once per file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.csv_reader import CsvTable
from ingest.fields import parse_year, to_figure
from ingest.forms import FORM_INDICATORS, FORMS_LISTED
from ingest.identity import (
    check_form_for_unit,
    check_scope,
    normalise_unit_code,
    resolve_unit_code,
    resolve_unit_name,
)
from ingest.model import ReportValue, Submission
from ingest.numbers import plain_whole
from ingest.reference import Registry, Unit
from ingest.text import Problem, collapse_spaces, echo, is_blank
from ingest.workbook.layout import form_for_sheet_name, is_total_label


@dataclass
class _Group:
    unit: Unit
    year: int
    form: str
    values: list[ReportValue]
    subunit_order: dict[str, int]
    seen: dict[tuple[str | None, str], int]
    name_reported: str | None


def _csv_form(raw: str) -> str | None:
    return form_for_sheet_name(raw) if raw.strip() else None


def _csv_subunit(raw: str) -> tuple[str, str] | None:
    """A CSV sub-unit as (name as stored, key for sameness); None for the unit's total (an
    empty field or a total label such as "Tổng cộng")."""
    if is_blank(raw) or is_total_label(raw):
        return None
    name = collapse_spaces(raw)
    return name, name.casefold()


def _check_csv_line(fields: dict[str, str], where: str, registry: Registry, scope: str,
                    units: dict[tuple[str, int], Unit]) -> tuple[Unit, int, str, str]:
    """The unit, year, form and indicator a CSV line names, checked in the contract's order;
    raises the line's first problem. `units` remembers the units already resolved (and in
    scope) by (code field, year)."""
    year: int | None = None
    unit: Unit | None = None
    try:
        unit_raw, year_raw = fields["unit_code"].strip(), fields["year"].strip()
        if not unit_raw:
            raise Problem("unit_missing", "cột unit_code (mã đơn vị) để trống", where)
        if not year_raw:
            raise Problem("year_missing", "cột year (năm báo cáo) để trống", where)
        year = parse_year(year_raw, where)
        unit_key = (unit_raw, year)
        if unit_key not in units:
            if normalise_unit_code(unit_raw) is not None or not registry.name_candidates(
                    unit_raw):
                units[unit_key] = resolve_unit_code(registry, unit_raw, year, where)
            else:  # a unit name in the code column: accepted, as in workbooks
                units[unit_key] = resolve_unit_name(registry, unit_raw, year, where)
            check_scope(registry, units[unit_key], year, scope)
        unit = units[unit_key]
        form = _csv_form(fields["form"])
        if form is None:
            raise Problem("unknown_form", f'mã biểu "{echo(fields["form"])}" không đúng; phải '
                                          f"là một trong {FORMS_LISTED}", where)
        check_form_for_unit(unit, form, year, where)
        indicator = fields["indicator"].strip().casefold()
        if indicator not in FORM_INDICATORS[form]:
            raise Problem("unknown_column",
                          f'chỉ tiêu "{echo(fields["indicator"])}" không có trong biểu {form} '
                          f"(các chỉ tiêu: {', '.join(FORM_INDICATORS[form])})", where)
        return unit, year, form, indicator
    except Problem as problem:
        problem.year = problem.year if problem.year is not None else year
        problem.unit_code = problem.unit_code or (unit.unit_code if unit else None)
        raise


def parse_csv(table: CsvTable, registry: Registry, scope: str,
              warnings: list[str]) -> list[Submission]:
    """Every (unit, year, form) of a long CSV report (read by ingest.csv_reader.read_csv) as a
    submission; the first problem raises with the number of its line."""
    if not table.records:
        raise Problem("no_forms", "tệp chỉ có dòng tiêu đề, không có dòng số liệu nào")
    groups: dict[tuple[str, int, str], _Group] = {}
    units: dict[tuple[str, int], Unit] = {}
    # A file repeats the same unit, year, form and indicator texts line after line, and the
    # same sub-unit names: each distinct spelling is checked once per file. Only lines that
    # passed are remembered, so a bad line still fails at its own line number, and the dicts
    # never outgrow the file (bounded by the limits).
    checked: dict[tuple[str, str, str, str], tuple[Unit, int, str, str]] = {}
    subunits: dict[str, tuple[str, str] | None] = {}  # text -> (name, key); None: the total
    for record in table.records:
        fields = record.fields
        key = (fields["unit_code"], fields["year"], fields["form"], fields["indicator"])
        identity = checked.get(key)
        if identity is None:  # raises this line's first problem, if any
            identity = checked[key] = _check_csv_line(fields, f"dòng {record.line}", registry,
                                                      scope, units)
        unit, year, form, indicator = identity
        raw_value = fields["value"]
        if is_blank(raw_value):
            continue  # not reported
        group = groups.get((unit.unit_code, year, form))
        if group is None:
            unit_raw = fields["unit_code"].strip()
            name_reported = None if normalise_unit_code(unit_raw) else unit_raw
            group = groups[unit.unit_code, year, form] = _Group(unit, year, form, [], {}, {},
                                                                name_reported)
        subunit_raw = fields["subunit"]
        if subunit_raw not in subunits:
            subunits[subunit_raw] = _csv_subunit(subunit_raw)
        named = subunits[subunit_raw]
        if named is None:
            subunit, subunit_key, subunit_order = None, None, 0
        else:
            subunit, subunit_key = named
            subunit_order = group.subunit_order.setdefault(subunit_key,
                                                           len(group.subunit_order) + 1)
        try:
            dup_key = (subunit_key, indicator)
            if dup_key in group.seen:
                label = f'đơn vị "{echo(subunit)}"' if subunit is not None else "tổng của đơn vị"
                raise Problem("duplicate_indicator",
                              f"chỉ tiêu {indicator} của {label} (biểu {form}) đã có ở dòng "
                              f"{group.seen[dup_key]}", f"dòng {record.line}")
            group.seen[dup_key] = record.line
            value, decimals = plain_whole(raw_value), 0
            if value is None:  # not a plain count: the full checks, and a message if wrong
                figure = to_figure(raw_value, indicator, f"chỉ tiêu {indicator}",
                                   f"dòng {record.line}")
                value, decimals = figure.value, figure.decimals
        except Problem as problem:
            problem.year = problem.year if problem.year is not None else year
            problem.unit_code = problem.unit_code or unit.unit_code
            raise
        group.values.append(ReportValue(subunit, subunit_order, indicator, value, decimals,
                                        f"line {record.line}"))
    if not groups:
        raise Problem("no_forms", "tệp không có giá trị số liệu nào (cột value đều trống)")
    return [
        Submission(unit_code=g.unit.unit_code, province_code=g.unit.province_code, year=g.year,
                   form=g.form, report_date=None, unit_name_reported=g.name_reported,
                   sheet_name=None, values=tuple(g.values))
        for g in groups.values()
    ]

"""A workbook's form sheets, checked against the contract and turned into submissions.

The sheets' layout was read by ingest.workbook; here the tables are checked in the order of
ingest.parse: forms, then the unit and year each sheet names (a sheet may inherit them from
another sheet of the file), their agreement across sheets and the scope, then the form for
the unit, the report date and every value.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.fields import cell_text, parse_report_date, parse_year, to_figure
from ingest.forms import FORM_COLUMNS, FORMS_LISTED
from ingest.identity import (
    check_form_for_unit,
    check_scope,
    resolve_unit_code,
    resolve_unit_name,
)
from ingest.model import ReportValue, Submission
from ingest.numbers import plain_whole
from ingest.reference import Registry, Unit
from ingest.text import Problem, collapse_spaces, echo, is_blank
from ingest.workbook.cells import SheetGrid, sheet_ref
from ingest.workbook.layout import (
    MetaField,
    SheetTable,
    find_column_row,
    form_for_sheet_name,
    is_total_label,
    looks_like_report_table,
    read_metadata,
    read_table,
)


@dataclass(frozen=True)
class _Sourced:
    """A metadata value and the sheet it came from (another sheet's, when inherited)."""

    field: MetaField
    table_where: str

    @property
    def where(self) -> str:
        return f"{self.table_where}, ô {self.field.ref}"


def parse_workbook(grids: list[SheetGrid], registry: Registry, scope: str,
                   warnings: list[str]) -> list[Submission]:
    """Every form sheet of a workbook (its sheets read by ingest.workbook.read_workbook) as a
    submission; the first problem raises, carrying the year and unit when they can be told (so
    the rejection is listed under its year)."""
    try:
        return _workbook_submissions(grids, registry, scope, warnings)
    except Problem as problem:
        if problem.year is None or problem.unit_code is None:
            year, unit_code = _guess_identity(grids, registry)
            problem.year = problem.year if problem.year is not None else year
            problem.unit_code = problem.unit_code or unit_code
        raise


def _workbook_submissions(grids: list[SheetGrid], registry: Registry, scope: str,
                          warnings: list[str]) -> list[Submission]:
    forms: list[tuple[SheetGrid, str]] = []
    for grid in grids:
        form = form_for_sheet_name(grid.name)
        if form is None:
            if looks_like_report_table(grid):
                raise Problem("unknown_form",
                              f'trang tính "{echo(grid.name)}" có bảng số liệu nhưng tên trang '
                              f"không phải mã biểu; hãy đặt tên trang tính là mã biểu "
                              f"({FORMS_LISTED})")
            warnings.append(f"sheet {grid.name!r} ignored: not a form")
            continue
        forms.append((grid, form))
    if not forms:
        raise Problem("no_forms", f"không có trang tính nào là biểu báo cáo; tên trang tính phải "
                                  f"là mã biểu ({FORMS_LISTED})")
    first_sheet: dict[str, str] = {}
    for grid, form in forms:
        if form in first_sheet:
            raise Problem("duplicate_indicator",
                          f'biểu {form} có hai trang tính ("{echo(first_sheet[form])}" và '
                          f'"{echo(grid.name)}"); mỗi biểu chỉ được một trang tính')
        first_sheet[form] = grid.name

    tables = [read_table(grid, form) for grid, form in forms]
    content = [t for t in tables if t.has_values]
    for table in tables:
        if not table.has_values:
            warnings.append(f"sheet {table.sheet_name!r} ({table.form}) has no figures; skipped")
    if not content:
        raise Problem("no_forms", "các biểu trong tệp không có số liệu nào (mọi ô số liệu đều "
                                  "trống)")

    # Metadata: a sheet's own lines, else those of the first form sheet that has them.
    inherited: dict[str, _Sourced] = {}
    for table in tables:
        for key, meta_field in table.meta.items():
            inherited.setdefault(key, _Sourced(meta_field, table.where))

    def effective(table: SheetTable, key: str) -> _Sourced | None:
        own = table.meta.get(key)
        return _Sourced(own, table.where) if own is not None else inherited.get(key)

    identities: list[tuple[SheetTable, Unit, int, _Sourced | None]] = []
    cache: dict[tuple[object, ...], tuple[Unit, int]] = {}
    for table in content:
        name_src, code_src = effective(table, "unit_name"), effective(table, "unit_code")
        year_src = effective(table, "year")
        if name_src is None and code_src is None:
            raise Problem("unit_missing", 'không xác định được đơn vị báo cáo: thiếu dòng "Đơn vị '
                                          'báo cáo" (hoặc "Mã đơn vị") phía trên bảng số liệu',
                          table.where)
        if year_src is None:
            raise Problem("year_missing", 'thiếu dòng "Năm báo cáo" phía trên bảng số liệu',
                          table.where)
        sources = (id(name_src.field) if name_src else None,
                   id(code_src.field) if code_src else None, id(year_src.field))
        if sources not in cache:
            cache[sources] = _identify(registry, name_src, code_src, year_src, warnings)
        unit, year = cache[sources]
        identities.append((table, unit, year, name_src))

    first_table, first_unit, first_year, _ = identities[0]
    for table, unit, year, _ in identities[1:]:
        if unit.unit_code != first_unit.unit_code:
            raise Problem("unit_mismatch",
                          f'các biểu ghi đơn vị khác nhau: {first_table.where} là '
                          f'"{first_unit.unit_name}" ({first_unit.unit_code}), {table.where} là '
                          f'"{unit.unit_name}" ({unit.unit_code}); mỗi tệp chỉ của một đơn vị',
                          year=first_year)
        if year != first_year:
            raise Problem("year_invalid",
                          f"các biểu ghi năm báo cáo khác nhau: {first_table.where} là năm "
                          f"{first_year}, {table.where} là năm {year}; mỗi tệp chỉ báo cáo một năm",
                          year=first_year, unit_code=first_unit.unit_code)
    check_scope(registry, first_unit, first_year, scope)

    submissions: list[Submission] = []
    for table, unit, year, name_src in identities:
        try:
            check_form_for_unit(unit, table.form, year, table.where)
            date_src = effective(table, "report_date")
            report_date = (parse_report_date(date_src.field.value, date_src.where)
                           if date_src is not None and not is_blank(date_src.field.value) else None)
            values = _table_values(table)
        except Problem as problem:
            problem.year = year
            problem.unit_code = unit.unit_code
            raise
        name_reported = (collapse_spaces(str(name_src.field.value))
                         if name_src is not None else None)
        submissions.append(Submission(
            unit_code=unit.unit_code, province_code=unit.province_code, year=year,
            form=table.form, report_date=report_date, unit_name_reported=name_reported,
            sheet_name=table.sheet_name, values=tuple(values)))
    return submissions


def _identify(registry: Registry, name_src: _Sourced | None, code_src: _Sourced | None,
              year_src: _Sourced, warnings: list[str]) -> tuple[Unit, int]:
    year = parse_year(year_src.field.value, year_src.where)
    if code_src is None:
        assert name_src is not None  # the caller rejects a sheet with neither
        name = cell_text(name_src.field.value)
        return resolve_unit_name(registry, name, year, name_src.where), year
    code_unit = resolve_unit_code(registry, cell_text(code_src.field.value), year,
                                  code_src.where)
    if name_src is None:
        return code_unit, year
    name = cell_text(name_src.field.value)
    name_unit = registry.resolve_name(name, year)
    if name_unit is None and not registry.name_candidates(name):
        # An unusual spelling of the name must not block a report whose code is right.
        warnings.append(f"unit name {name!r} not recognised; using unit code "
                        f"{code_unit.unit_code}")
        return code_unit, year
    if name_unit is None:
        name_unit = resolve_unit_name(registry, name, year, name_src.where)  # raises why
    if name_unit.unit_code != code_unit.unit_code:
        raise Problem("unit_mismatch",
                      f'tên đơn vị "{echo(name)}" ({name_unit.unit_code}) và mã đơn vị '
                      f'"{code_unit.unit_code}" ({code_unit.unit_name}) không khớp nhau; hãy sửa '
                      f"cho đúng", code_src.where, year=year)
    return code_unit, year


def _table_values(table: SheetTable) -> list[ReportValue]:
    columns = FORM_COLUMNS[table.form]
    values: list[ReportValue] = []
    seen: dict[str | None, int] = {}
    order = 0
    prefix = sheet_ref(table.sheet_name)
    for row in table.rows:
        if is_blank(row.subunit):
            raise Problem("unit_missing", f"dòng {row.sheet_row} có số liệu nhưng cột (1) (tên "
                                          f"đơn vị) để trống",
                          f"{table.where}, ô {row.subunit_ref}")
        if is_total_label(row.subunit):
            subunit, subunit_order, key = None, 0, None
        else:
            subunit = cell_text(row.subunit)
            order += 1
            subunit_order, key = order, subunit.casefold()
        if key in seen:
            label = f'đơn vị "{echo(subunit)}"' if subunit is not None else "dòng tổng cộng"
            raise Problem("duplicate_indicator", f"{label} xuất hiện hai lần (dòng {seen[key]} và "
                                                 f"dòng {row.sheet_row})",
                          f"{table.where}, ô {row.subunit_ref}")
        seen[key] = row.sheet_row
        for number, raw, ref in row.values:
            indicator = columns[number]
            value, decimals = plain_whole(raw), 0
            if value is None:  # not a plain count: the full checks, and a message if wrong
                figure = to_figure(raw, indicator, f"cột ({number})", f"{table.where}, ô {ref}")
                value, decimals = figure.value, figure.decimals
            values.append(ReportValue(subunit, subunit_order, indicator, value, decimals,
                                      f"{prefix}!{ref}"))
    return values


def _guess_identity(grids: list[SheetGrid], registry: Registry) -> tuple[int | None, str | None]:
    """Best-effort year and unit for a rejection raised before the unit was resolved, so the
    rejection can still be listed under its year. Never raises."""
    year: int | None = None
    unit_code: str | None = None
    for grid in grids:
        if form_for_sheet_name(grid.name) is None:
            continue
        try:
            found = find_column_row(grid.rows)
            meta = read_metadata(grid, found[0] if found else min(len(grid.rows), 40))
            if year is None and "year" in meta:
                year = parse_year(meta["year"].value, "")
            if year is not None and unit_code is None:
                if "unit_code" in meta:
                    unit_code = resolve_unit_code(
                        registry, cell_text(meta["unit_code"].value), year, "").unit_code
                elif "unit_name" in meta:
                    unit_code = resolve_unit_name(
                        registry, cell_text(meta["unit_name"].value), year, "").unit_code
        except Exception:  # noqa: BLE001, S112 - a guess only
            continue
        if year is not None and unit_code is not None:
            break
    return year, unit_code


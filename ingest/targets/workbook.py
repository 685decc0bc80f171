"""A targets decision as a workbook: one sheet named CHITIEU (report-format.md, "Targets").

Metadata lines above the table (`Cơ quan giao`, `Số quyết định`, `Ngày quyết định`, `Năm`),
then, as in every form, a row of column labels and a row of column numbers: (1) unit code or
unit type, (2) indicator, (3) comparator, (4) value in %. The sheet is read by the same layout
code as a report's form (ingest.workbook.layout), with the decision's own columns and labels.
"""

from __future__ import annotations

from ingest.fields import cell_text, parse_report_date, parse_year
from ingest.forms import TARGET_COLUMNS, TARGETS_SHEET
from ingest.model import TargetDecision, TargetRow
from ingest.reference import Registry
from ingest.targets.rows import TargetRows, target_unit
from ingest.text import Problem, collapse_spaces, echo, is_blank
from ingest.workbook.cells import SheetGrid, sheet_ref
from ingest.workbook.layout import (
    MetaField,
    SheetTable,
    form_for_sheet_name,
    is_targets_sheet,
    looks_like_report_table,
    read_table,
)

TARGET_META_LABELS: dict[str, str] = {
    **dict.fromkeys(("co quan giao", "co quan giao chi tieu", "co quan ban hanh",
                     "don vi giao"), "issuer"),
    **dict.fromkeys(("so quyet dinh", "so qd", "quyet dinh so"), "decision_number"),
    **dict.fromkeys(("ngay quyet dinh", "ngay qd", "ngay ban hanh", "ngay ky"), "decision_date"),
    **dict.fromkeys(("nam", "nam giao chi tieu", "nam chi tieu", "nam bao cao"), "year"),
}


def has_targets_sheet(grids: list[SheetGrid]) -> bool:
    """Whether a workbook is a targets decision (it has a CHITIEU sheet)."""
    return any(is_targets_sheet(grid.name) for grid in grids)


def parse_targets_workbook(grids: list[SheetGrid], registry: Registry,
                           warnings: list[str]) -> list[TargetDecision]:
    """The decision of a workbook's CHITIEU sheet; the first problem raises, with the year
    when it is known. Other sheets are ignored (noted), unless they carry a report's figures:
    a decision and a report never share a file."""
    sheets = [grid for grid in grids if is_targets_sheet(grid.name)]
    if len(sheets) > 1:
        raise Problem("duplicate_indicator",
                      f'tệp có hai trang tính chỉ tiêu ("{echo(sheets[0].name)}" và '
                      f'"{echo(sheets[1].name)}"); mỗi quyết định chỉ một trang {TARGETS_SHEET}')
    for grid in grids:
        if grid is sheets[0]:
            continue
        form = form_for_sheet_name(grid.name)
        if form is not None and looks_like_report_table(grid):
            raise Problem("mixed_content",
                          f'tệp vừa có trang {TARGETS_SHEET} (quyết định giao chỉ tiêu) vừa có '
                          f'biểu báo cáo {form} (trang tính "{echo(grid.name)}"); hãy gửi quyết '
                          f"định giao chỉ tiêu trong một tệp riêng")
        warnings.append(f"sheet {grid.name!r} ignored: not the {TARGETS_SHEET} sheet")
    table = read_table(sheets[0], TARGETS_SHEET, columns=TARGET_COLUMNS,
                       labels=TARGET_META_LABELS, keep_rows_without_values=True)
    if table.blank:
        raise Problem("no_targets", f"trang {TARGETS_SHEET} không có nội dung", table.where)
    return [_decision(table, registry, warnings)]


def _meta_where(table: SheetTable, meta_field: MetaField) -> str:
    return f"{table.where}, ô {meta_field.ref}"


def _decision(table: SheetTable, registry: Registry, warnings: list[str]) -> TargetDecision:
    meta = table.meta
    if "year" not in meta:
        raise Problem("year_missing", 'thiếu dòng "Năm" (năm giao chỉ tiêu) phía trên bảng chỉ '
                                      "tiêu", table.where)
    year = parse_year(meta["year"].value, _meta_where(table, meta["year"]), "năm giao chỉ tiêu")
    try:
        number = meta.get("decision_number")
        if number is None or is_blank(number.value):
            raise Problem("decision_number_missing",
                          'thiếu "Số quyết định" phía trên bảng chỉ tiêu (ví dụ 1234/QĐ-TCTHADS)',
                          _meta_where(table, number) if number else table.where)
        day = meta.get("decision_date")
        decision_date = (parse_report_date(day.value, _meta_where(table, day), "ngày quyết định")
                         if day is not None and not is_blank(day.value) else None)
        issuer = meta.get("issuer")
        rows = _rows(table, registry, year, warnings)
    except Problem as problem:
        problem.year = year
        raise
    return TargetDecision(
        decision_number=cell_text(number.value), decision_date=decision_date,
        issuer=collapse_spaces(str(issuer.value)) if issuer and not is_blank(issuer.value)
        else None, year=year, sheet_name=table.sheet_name, rows=tuple(rows))


def _rows(table: SheetTable, registry: Registry, year: int,
          warnings: list[str]) -> list[TargetRow]:
    prefix = sheet_ref(table.sheet_name)
    rows = TargetRows()
    for row in table.rows:
        cells = {number: raw for number, raw, _ in row.values}
        if not cells:  # only column (1): a heading, or a unit whose target was forgotten
            if _names_a_unit(registry, row.subunit, year):
                raise Problem("not_a_percentage", f"dòng {row.sheet_row} ghi đơn vị nhưng chưa "
                                                  f"ghi chỉ tiêu, so sánh và giá trị",
                              f"{table.where}, ô {row.subunit_ref}")
            warnings.append(f"{prefix} row {row.sheet_row}: {echo(row.subunit)!r} has no "
                            "target; read as a heading")
            continue
        if is_blank(row.subunit):
            raise Problem("unit_missing", f"dòng {row.sheet_row} có chỉ tiêu nhưng cột (1) (mã "
                                          f"đơn vị) để trống",
                          f"{table.where}, ô {row.subunit_ref}")
        refs = [row.subunit_ref, *(f"{table.column_letters.get(n, '?')}{row.sheet_row}"
                                   for n in (2, 3, 4))]
        unit_at, indicator_at, comparator_at, value_at = (f"{table.where}, ô {ref}"
                                                          for ref in refs)
        rows.add(registry, year, (row.subunit, cells.get(2), cells.get(3), cells.get(4)),
                 (unit_at, indicator_at, comparator_at, value_at), f"{prefix}!{refs[3]}",
                 f"dòng {row.sheet_row}")
    if not rows.rows:
        raise Problem("no_targets", "bảng chỉ tiêu không có dòng nào (cột (1) đến (4) đều trống)",
                      table.where)
    return rows.rows


def _names_a_unit(registry: Registry, raw: object, year: int) -> bool:
    try:
        target_unit(registry, raw, year, "")
    except Problem:
        return False
    return True


__all__ = ["TARGET_META_LABELS", "has_targets_sheet", "parse_targets_workbook"]

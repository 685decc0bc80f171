"""One form's worksheet as a grid of values, top to bottom as officers lay it out.

Heading (agency, title, period, synthetic-data note), metadata lines, column labels and the row
of column numbers "(1)", "(2)" …, sub-unit rows and a total row, a signature footer. The grid is
plain values; the xlsx writer adds merges and styles at the rows marked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.forms import RATE_INDICATORS
from ingest.sample.writers.content import Block, Layout, Row, WorkbookReport
from ingest.sample.writers.numbers import columns_of, rate_for, vn_decimal, vn_int
from ingest.sample.writers.wording import (
    FORM_TITLES,
    GROUP_HEADERS,
    LABELS,
    SYNTHETIC_NOTE,
    TITLE_SUFFIX,
    VARIANT_LABELS,
)


def cell_value(layout: Layout, row: Row, indicator: str) -> tuple[object, str | None]:
    """(value, number format) of one figure as this unit types it."""
    if indicator in RATE_INDICATORS:
        value = rate_for(indicator, row.counts, layout.rate_decimals)
        if value is None:
            return None, None
        if layout.numbers_as_text:
            return vn_decimal(value) + ("%" if layout.rate_percent_sign else ""), None
        if layout.rate_decimals == 0:
            return int(value), "0"
        return float(value), "0." + "0" * layout.rate_decimals
    count = row.counts[indicator]
    if layout.numbers_as_text:
        return vn_int(count), None
    return count, "#,##0"


@dataclass
class SheetGrid:
    """The sheet's values, its merges (row, first col, last col), and marked rows (1-based):
    "title", "note", "labels", "data" (the first data row), "footer"."""

    ncols: int
    lines: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int]] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)

    def add(self, cells: dict[int, object] | None = None) -> int:
        """Append a line with values at the given (1-based) columns; return its row number."""
        line: list[object] = [None] * self.ncols
        for col, value in (cells or {}).items():
            line[col - 1] = value
        self.lines.append(line)
        return len(self.lines)

    @property
    def signature_columns(self) -> tuple[int, int]:
        return 2, max(4, self.ncols - 2)


def sheet_grid(report: WorkbookReport, block: Block) -> SheetGrid:
    """The whole sheet of one form, in order."""
    cols = columns_of(block.form, report.layout.omit)
    grid = SheetGrid(ncols=len(cols) + 1)
    _heading(grid, report, block.form)
    _metadata(grid, report)
    _column_headers(grid, report.layout, block.form, cols)
    _data_rows(grid, report, block, cols)
    _footer(grid, report.layout)
    return grid


def _heading(grid: SheetGrid, report: WorkbookReport, form: str) -> None:
    layout = report.layout
    _, right = grid.signature_columns
    if layout.agency_header:
        grid.add({1: layout.agency_header[0], right: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"})
        grid.add({1: layout.agency_header[1], right: "Độc lập - Tự do - Hạnh phúc"})
        grid.add()
    grid.marks["title"] = grid.add({1: FORM_TITLES[form].format(year=report.year)
                                    + TITLE_SUFFIX})
    grid.merges.append((grid.marks["title"], 1, grid.ncols))
    if report.period:
        grid.merges.append((grid.add({1: report.period}), 1, grid.ncols))
    grid.marks["note"] = grid.add({1: SYNTHETIC_NOTE})
    grid.merges.append((grid.marks["note"], 1, grid.ncols))
    grid.add()


def _metadata(grid: SheetGrid, report: WorkbookReport) -> None:
    """The "label: value" lines; which appear and how values are typed vary by unit."""
    layout = report.layout
    label_col, value_col = layout.meta_col, layout.meta_col + layout.meta_gap
    if report.unit_name is not None:
        grid.add({label_col: "Đơn vị báo cáo:", value_col: report.unit_name})
    if report.unit_code is not None:
        grid.add({label_col: "Mã đơn vị:", value_col: report.unit_code})
    grid.add({label_col: "Năm báo cáo:",
              value_col: f"Năm {report.year}" if layout.year_as_text else report.year})
    if report.report_date is not None:
        grid.add({label_col: "Ngày lập báo cáo:",
                  value_col: (report.report_date.strftime("%d/%m/%Y") if layout.date_as_text
                              else report.report_date)})
    grid.add({label_col: "Người lập biểu:", value_col: layout.preparer})
    grid.add()


def _column_headers(grid: SheetGrid, layout: Layout, form: str,
                    cols: list[tuple[int, str]]) -> None:
    numbers = [n for n, _ in cols]
    if layout.group_header:
        groups = [(text, [i + 2 for i, n in enumerate(numbers) if first <= n <= last])
                  for first, last, text in GROUP_HEADERS[form]]
        r = grid.add({inside[0]: text for text, inside in groups if inside})
        grid.merges += [(r, inside[0], inside[-1]) for _, inside in groups if len(inside) > 1]
    labels = (VARIANT_LABELS if layout.label_variant else LABELS)[form]
    grid.marks["labels"] = grid.add({1: "Tên đơn vị" if layout.label_variant else "Đơn vị",
                                     **{i + 2: labels[ind] for i, (_, ind) in enumerate(cols)}})
    grid.add({1: "(1)", **{i + 2: f"({n})" for i, (n, _) in enumerate(cols)}})


def _data_rows(grid: SheetGrid, report: WorkbookReport, block: Block,
               cols: list[tuple[int, str]]) -> None:
    grid.marks["data"] = len(grid.lines) + 1
    for index, row in enumerate(block.rows):
        cells: dict[int, object] = {1: row.label}
        for i, (_, indicator) in enumerate(cols):
            key = (block.form, index, indicator)
            cells[i + 2] = report.overrides[key] if key in report.overrides else (
                cell_value(report.layout, row, indicator)[0])
        grid.add(cells)
    grid.add()


def _footer(grid: SheetGrid, layout: Layout) -> None:
    left, right = grid.signature_columns
    grid.marks["footer"] = grid.add({left: "Người lập biểu", right: "THỦ TRƯỞNG ĐƠN VỊ"})
    grid.add({left: "(Ký, ghi rõ họ tên)", right: "(Ký tên, đóng dấu)"})
    grid.add()
    grid.add({left: layout.preparer, right: layout.head})

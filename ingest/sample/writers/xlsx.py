"""Report workbooks (.xlsx) through openpyxl, byte-identical for identical input.

Workbook properties carry a fixed date and the zip entries a fixed timestamp, so the same
figures always give the same file (tests and content hashes rely on it). Nothing reads the clock.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ingest.safe_text import formula_like
from ingest.sample.writers.content import Block, Layout, WorkbookReport
from ingest.sample.writers.numbers import columns_of
from ingest.sample.writers.sheet import SheetGrid, cell_value, sheet_grid
from ingest.sample.writers.wording import INSTRUCTIONS

if TYPE_CHECKING:
    from _typeshed import SizedBuffer

FIXED_TIMESTAMP = datetime(2025, 1, 1, 0, 0, 0)  # workbook properties: never the clock
_ZIP_DATE_TIME = (2025, 1, 1, 0, 0, 0)


def workbook_bytes(report: WorkbookReport, *, write_only: bool = False) -> bytes:
    """The report as .xlsx bytes, identical for identical input.

    write_only (used for the national benchmark sample) streams rows and skips merged cells and
    styling, which is several times faster; the content is the same.
    """
    layout = report.layout
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    if layout.instructions == "first":
        _instructions_sheet(wb, write_only)
    for block in report.blocks:
        grid = sheet_grid(report, block)
        ws = wb.create_sheet(f"{layout.sheet_prefix}{block.form}")
        if write_only:
            for line in grid.lines:
                ws.append([_wo_cell(ws, layout, v) for v in line])
        else:
            _styled_sheet(ws, report, block, grid)
    if layout.instructions == "last":
        _instructions_sheet(wb, write_only)
    return deterministic_xlsx(wb)


def _styled_sheet(ws: Worksheet, report: WorkbookReport, block: Block, grid: SheetGrid) -> None:
    """The grid with merges, fonts, number formats and column widths, as an officer's file."""
    layout = report.layout
    ncols = len(columns_of(block.form, layout.omit)) + 1
    for line in grid.lines:
        ws.append(line)
        _protect_text(ws[ws.max_row])
    for r, first, last in grid.merges:
        ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
    bold = Font(bold=True)
    ws.cell(grid.marks["title"], 1).font = Font(bold=True, size=13)
    ws.cell(grid.marks["title"], 1).alignment = Alignment(horizontal="center")
    ws.cell(grid.marks["note"], 1).font = Font(italic=True, color="C00000")
    for c in range(1, ncols + 1):
        cell = ws.cell(grid.marks["labels"], c)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    _format_data_rows(ws, report, block, grid.marks["data"])
    ws.column_dimensions["A"].width = 40
    for c in range(2, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14


def _format_data_rows(ws: Worksheet, report: WorkbookReport, block: Block, first: int) -> None:
    """Total rows in bold; figures with the number format the unit uses (not overridden text)."""
    cols = columns_of(block.form, report.layout.omit)
    bold = Font(bold=True)
    for index, row in enumerate(block.rows):
        r = first + index
        if row.is_total:
            for c in range(1, len(cols) + 2):
                ws.cell(r, c).font = bold
        for i, (_, indicator) in enumerate(cols):
            fmt = cell_value(report.layout, row, indicator)[1]
            if fmt and (block.form, index, indicator) not in report.overrides:
                ws.cell(r, i + 2).number_format = fmt


def _protect_text(cells: Sequence[Cell]) -> None:
    """Formula-like text stays text: a string cell with Excel's quote prefix (openpyxl would
    otherwise store "=…" as a formula that Excel evaluates on opening)."""
    for cell in cells:
        value = getattr(cell, "value", None)
        if isinstance(value, str) and formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True


def _wo_cell(ws: object, layout: Layout, value: object) -> object:
    """Write-only mode: plain values, except rate cells that need their decimals format and
    formula-like text, written as quote-prefixed text."""
    if isinstance(value, str) and formula_like(value):
        cell = WriteOnlyCell(ws, value=value)
        _protect_text([cell])
        return cell
    if not isinstance(value, float):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "0." + "0" * layout.rate_decimals
    return cell


def _instructions_sheet(wb: Workbook, write_only: bool) -> None:
    ws = wb.create_sheet("Hướng dẫn")
    for line in INSTRUCTIONS:
        ws.append([line])
    if not write_only:
        ws.column_dimensions["A"].width = 100


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed timestamp (zipfile would use the clock)."""

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: SizedBuffer | str,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_DATE_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: str | os.PathLike[str],
              arcname: str | os.PathLike[str] | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        # write-only worksheets arrive as temporary files; store their content, not their mtime
        with open(filename, "rb") as fh:
            name = str(arcname) if arcname else Path(filename).name
            self.writestr(name, fh.read(), compress_type, compresslevel)


def deterministic_xlsx(wb: Workbook) -> bytes:
    """An openpyxl workbook as .xlsx bytes with fixed properties and zip timestamps."""
    wb.properties.creator = "tuphap sample (synthetic data)"
    wb.properties.lastModifiedBy = "tuphap sample"
    wb.properties.title = "Dữ liệu giả lập - synthetic data"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps "modified" with the clock.
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    return buf.getvalue()


def write_xlsx(path: Path, report: WorkbookReport, *, write_only: bool = False) -> None:
    path.write_bytes(workbook_bytes(report, write_only=write_only))

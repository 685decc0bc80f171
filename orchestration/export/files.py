"""The two export files: xlsx for people, CSV for machines.

xlsx (xlsxwriter): numbers stored as numbers with formats a Vietnamese Excel shows the
Vietnamese way (the format codes "#,##0" and "#,##0.00" are locale-neutral: Excel draws the
grouping and decimal marks of the reader's locale, "27.430" and "89,68" in Vietnam), codes as
text ("08" stays "08"), the header frozen with an autofilter, widths from the content, and a
second sheet "Thông tin" saying what the data is. A rate is stored unrounded and shown with two
decimals; xlsx files keep 16 significant digits (xlsxwriter and openpyxl both write "%.16g",
beyond the 15 digits a spreadsheet computes with), so a rate can differ from the warehouse's
double in its 17th digit, never in what anyone sees.

CSV: RFC 4180 (comma, CRLF, quotes only where needed), UTF-8 with a BOM so Excel reads the
diacritics, "." as the decimal mark, a header of column names.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ingest.safe_text import formula_like
from ingest.vn_format import format_number
from orchestration.export.values import (
    KINDS_VI,
    column_kinds,
    csv_field,
    list_text,
    utc_naive,
)

INFO_SHEET = "Thông tin"
DATA_SHEET = "Dữ liệu"
MIN_WIDTH, MAX_WIDTH = 8, 60
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "constant_memory": False}


@dataclass(frozen=True)
class ExportInfo:
    """What the "Thông tin" sheet says about an export."""

    table: str
    table_doc: str
    filters: str
    warehouse: str
    load: str
    exported_at: datetime
    row_count: int


@contextmanager
def atomic_output(path: Path, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """A file written beside `path` and moved over it only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(partial, mode, **kwargs) as handle:
            yield handle
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with atomic_output(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=",", lineterminator="\r\n",
                            quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_field(value) for value in row])


def _number_format(column: str, kind: str) -> str | None:
    if kind == "int":
        # A year grouped as "2.024" reads as a count; years and codes are never grouped.
        return "0" if column == "year" or column.endswith(("_year", "_decimals")) else "#,##0"
    if kind == "float":
        return "#,##0.00"
    if kind == "date":
        return "dd/mm/yyyy"
    if kind == "datetime":
        return "dd/mm/yyyy hh:mm:ss"
    return None


class _Cells:
    """Writes one value into a cell by its Python type, text always as inert text."""

    def __init__(self, book: xlsxwriter.Workbook, columns: Sequence[str],
                 kinds: Sequence[str]) -> None:
        self.formats = [book.add_format({"num_format": f}) if (f := _number_format(c, k))
                        else None for c, k in zip(columns, kinds, strict=True)]
        self.text = book.add_format({"num_format": "@"})
        self.quoted = book.add_format({"num_format": "@", "quote_prefix": True})

    def write(self, sheet: Worksheet, row: int, col: int, value: Any) -> int:
        """Write one value; returns the width of its text, for the column widths."""
        if value is None:
            return 0
        fmt = self.formats[col]
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
            return 5
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = float(value)
            if not math.isfinite(number):
                return 0
            sheet.write_number(row, col, number, fmt)
            return len(f"{number:,.2f}") if isinstance(value, float) else len(f"{value:,}")
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, utc_naive(value), fmt)
            return 19
        if isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
            return 10
        text = list_text(value) if isinstance(value, (list, tuple)) else str(value)
        return write_text(sheet, row, col, text, self.text, self.quoted)


def write_text(sheet: Worksheet, row: int, col: int, text: str, plain: object,
               quoted: object) -> int:
    """Text as a text cell; formula-like text with Excel's quote prefix, so it stays text
    even when someone edits the cell."""
    sheet.write_string(row, col, text, quoted if formula_like(text) else plain)
    return min(len(text), MAX_WIDTH)


def write_xlsx(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]],
               info: ExportInfo, column_docs: Mapping[str, str]) -> None:
    kinds = column_kinds(columns, rows)
    with atomic_output(path) as handle:
        book = xlsxwriter.Workbook(handle, {**WORKBOOK_OPTIONS, "in_memory": True})
        book.set_properties({"title": f"{info.table} - kho dữ liệu thống kê tư pháp",
                             "author": "tuphap export"})
        header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                  "text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet(DATA_SHEET)
        cells = _Cells(book, columns, kinds)
        widths = [len(c) for c in columns]
        for col, name in enumerate(columns):
            sheet.write_string(0, col, name, header)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                widths[col] = max(widths[col], cells.write(sheet, r, col, value))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width + 2)))
        sheet.freeze_panes(1, 0)
        if columns:
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)
        _info_sheet(book, header, cells, info, columns, kinds, column_docs)
        book.close()


def _info_sheet(book: xlsxwriter.Workbook, header: object, cells: _Cells, info: ExportInfo,
                columns: Sequence[str], kinds: Sequence[str],
                column_docs: Mapping[str, str]) -> None:
    sheet = book.add_worksheet(INFO_SHEET)
    bold = book.add_format({"bold": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    quoted = book.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 100)
    lines = [
        ("Bảng", info.table),
        ("Mô tả", info.table_doc or "(không có mô tả trong tài liệu dbt)"),
        ("Bộ lọc", info.filters),
        ("Số dòng", format_number(info.row_count)),
        ("Kho dữ liệu", info.warehouse),
        ("Lần nạp", info.load),
        ("Thời điểm xuất", utc_naive(info.exported_at).strftime("%d/%m/%Y %H:%M:%S") + " (UTC)"),
        ("Ghi chú", "Trang \"Dữ liệu\" giữ nguyên số liệu của kho: số tiền tính bằng nghìn đồng; "
                    "tỷ lệ là phần trăm (0–100), không làm tròn, hiển thị hai chữ số thập phân; ô "
                    "trống là không có số liệu (không phải số 0); thời điểm theo giờ UTC; mã "
                    "(mã tỉnh, mã đơn vị) là văn bản."),
    ]
    for r, (label, text) in enumerate(lines):
        sheet.write_string(r, 0, label, bold)
        sheet.merge_range(r, 1, r, 2, "", wrap)
        write_text(sheet, r, 1, text, wrap, quoted)
    top = len(lines) + 1
    for col, title in enumerate(("Cột", "Kiểu", "Mô tả")):
        sheet.write_string(top, col, title, header)
    for i, (column, kind) in enumerate(zip(columns, kinds, strict=True), start=top + 1):
        sheet.write_string(i, 0, column, wrap)
        sheet.write_string(i, 1, KINDS_VI[kind], wrap)
        write_text(sheet, i, 2, column_docs.get(column, ""), wrap, quoted)
    sheet.freeze_panes(top + 1, 0)


__all__ = ["DATA_SHEET", "INFO_SHEET", "ExportInfo", "atomic_output", "write_csv", "write_xlsx"]


@dataclass(frozen=True)
class SheetTable:
    """A titled table for a sheet of its own (the yearly report's tables): numbers as numbers,
    in the exporter's formats, text as inert text."""

    name: str  # the sheet's name (<= 31 characters)
    title: str
    unit: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = ()


def write_tables_xlsx(path: Path, tables: Sequence[SheetTable],
                      info: Sequence[tuple[str, str]], *, title: str,
                      created: datetime | None) -> None:
    """Several tables, one per sheet, then a "Thông tin" sheet of (label, text) lines. The same
    tables and `created` give the same bytes (xlsxwriter dates the zip entries 1980)."""
    with atomic_output(path) as handle:
        book = xlsxwriter.Workbook(handle, {**WORKBOOK_OPTIONS, "in_memory": True})
        book.set_properties({"title": title, "author": "Kho dữ liệu tư pháp",
                             "created": utc_naive(created) if created else datetime(2000, 1, 1)})
        header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                  "text_wrap": True, "valign": "top"})
        bold = book.add_format({"bold": True})
        italic = book.add_format({"italic": True})
        for spec in tables:
            sheet = book.add_worksheet(spec.name)
            columns = [str(h) for h in spec.header]
            cells = _Cells(book, columns, column_kinds(columns, spec.rows))
            sheet.write_string(0, 0, spec.title, bold)
            sheet.write_string(1, 0, spec.unit, italic)
            widths = [min(MAX_WIDTH, max(MIN_WIDTH, len(c) // 2 + 2)) for c in columns]
            for col, name in enumerate(columns):
                sheet.write_string(3, col, name, header)
            for r, row in enumerate(spec.rows, start=4):
                for col, value in enumerate(row):
                    widths[col] = max(widths[col], cells.write(sheet, r, col, value) + 2)
            for i, note in enumerate(spec.notes, start=len(spec.rows) + 5):
                write_text(sheet, i, 0, note, cells.text, cells.quoted)
            for col, width in enumerate(widths):
                sheet.set_column(col, col, min(MAX_WIDTH, width))
            sheet.freeze_panes(4, 2)
        sheet = book.add_worksheet(INFO_SHEET)
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        quoted = book.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 100)
        for r, (label, text) in enumerate(info):
            sheet.write_string(r, 0, label, bold)
            write_text(sheet, r, 1, text, wrap, quoted)
        book.close()

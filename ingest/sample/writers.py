"""Writers of the unit report format (report-format.md): workbooks and long CSV.

They render figures the way provincial officers' files look: title and metadata lines above the
table, a row of column labels and a row of column numbers "(1)", "(2)" …, sub-unit rows and a
total row, a signature footer; or the machine export in long CSV. Layout details vary by unit
(a `Layout` / `CsvDialect` per unit) because the parser must cope with that variety.

Output bytes are deterministic: workbook properties carry a fixed date and the zip entries a
fixed timestamp, so the same figures always give the same file (tests and content hashes rely on
it). Nothing reads the clock.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ingest.forms import FORM_COLUMNS, RATE_INDICATORS
from ingest.safe_text import formula_like, neutralise_cell
from ingest.sample.generator import RATE_OPERANDS, rate

FIXED_TIMESTAMP = datetime(2025, 1, 1, 0, 0, 0)  # workbook properties: never the clock
_ZIP_DATE_TIME = (2025, 1, 1, 0, 0, 0)
SYNTHETIC_NOTE = ("Ghi chú: SỐ LIỆU GIẢ LẬP (synthetic data), tạo tự động để thử nghiệm kho dữ "
                  "liệu; không phải số liệu thống kê chính thức.")
TITLE_SUFFIX = " (DỮ LIỆU GIẢ LẬP — MẪU)"

FORM_TITLES = {
    "PBGDPL": "BÁO CÁO KẾT QUẢ PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT NĂM {year}",
    "HOAGIAI": "BÁO CÁO KẾT QUẢ HÒA GIẢI Ở CƠ SỞ NĂM {year}",
    "THADS_VIEC": "BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ NĂM {year} - TÍNH BẰNG VIỆC",
    "THADS_TIEN": ("BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ NĂM {year} - TÍNH BẰNG TIỀN "
                   "(ĐƠN VỊ TÍNH: NGHÌN ĐỒNG)"),
}

# Column labels as the spec words them, and as some units word them. Column numbers fix the
# meaning; labels are for people.
_ENF_LABELS = {
    "carried_over": "Năm trước chuyển sang", "new": "Thụ lý mới",
    "accepted": "Tổng số thụ lý = (2) + (3)", "entrusted": "Ủy thác",
    "revoked": "Thu hồi, hủy quyết định thi hành án",
    "to_enforce": "Tổng số phải thi hành = (4) − (5) − (6)",
    "eligible": "Có điều kiện thi hành", "not_eligible": "Chưa có điều kiện thi hành",
    "completed": "Thi hành xong", "terminated": "Đình chỉ thi hành án",
    "resolved": "Giải quyết xong = (10) + (11)", "carried_forward": "Chuyển kỳ sau = (7) − (12)",
    "resolution_rate": "Tỷ lệ giải quyết xong (%)",
}
_ENF_VARIANT = {
    "carried_over": "Số cũ chuyển sang", "new": "Số mới thụ lý", "accepted": "Tổng thụ lý",
    "entrusted": "Số ủy thác đi", "revoked": "Thu hồi, hủy QĐ THA",
    "to_enforce": "Tổng số phải THA", "eligible": "Số có điều kiện",
    "not_eligible": "Số chưa có điều kiện", "completed": "Xong", "terminated": "Đình chỉ",
    "resolved": "Tổng số giải quyết", "carried_forward": "Số chuyển kỳ sau",
    "resolution_rate": "Tỷ lệ %",
}
LABELS: dict[str, dict[str, str]] = {
    "PBGDPL": {
        "sessions": "Số cuộc phổ biến, giáo dục pháp luật trực tiếp",
        "attendees": "Số lượt người tham dự",
        "documents": "Số tài liệu phổ biến, giáo dục pháp luật được phát hành",
        "legal_reporters": "Số báo cáo viên pháp luật",
        "legal_propagandists": "Số tuyên truyền viên pháp luật",
    },
    "HOAGIAI": {
        "teams": "Số tổ hòa giải", "mediators": "Số hòa giải viên",
        "cases_received": "Tổng số vụ, việc hòa giải tiếp nhận",
        "cases_successful": "Hòa giải thành", "cases_unsuccessful": "Hòa giải không thành",
        "cases_pending": "Đang hòa giải", "success_rate": "Tỷ lệ hòa giải thành (%)",
    },
    "THADS_VIEC": _ENF_LABELS,
    "THADS_TIEN": _ENF_LABELS,
}
VARIANT_LABELS: dict[str, dict[str, str]] = {
    "PBGDPL": {
        "sessions": "Số cuộc PBGDPL trực tiếp", "attendees": "Số lượt người nghe",
        "documents": "Số tài liệu PBGDPL phát hành", "legal_reporters": "Báo cáo viên PL",
        "legal_propagandists": "Tuyên truyền viên PL",
    },
    "HOAGIAI": {
        "teams": "Tổ hòa giải", "mediators": "Hòa giải viên",
        "cases_received": "Số vụ việc tiếp nhận", "cases_successful": "Thành",
        "cases_unsuccessful": "Không thành", "cases_pending": "Đang giải quyết",
        "success_rate": "Tỷ lệ thành (%)",
    },
    "THADS_VIEC": _ENF_VARIANT,
    "THADS_TIEN": _ENF_VARIANT,
}
# Header groups some units draw above the labels: (first column, last column, text).
GROUP_HEADERS: dict[str, tuple[tuple[int, int, str], ...]] = {
    "PBGDPL": ((2, 4, "Kết quả phổ biến, giáo dục pháp luật"), (5, 6, "Đội ngũ")),
    "HOAGIAI": ((2, 3, "Tổ chức"), (4, 8, "Kết quả hòa giải")),
    "THADS_VIEC": ((2, 4, "Thụ lý"), (5, 9, "Phải thi hành"), (10, 14, "Kết quả")),
    "THADS_TIEN": ((2, 4, "Thụ lý"), (5, 9, "Phải thi hành"), (10, 14, "Kết quả")),
}

INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU",
    "1. Mỗi biểu một trang tính; tên trang tính là mã biểu (PBGDPL, HOAGIAI, THADS_VIEC, "
    "THADS_TIEN).",
    "2. Ghi đủ Đơn vị báo cáo, Năm báo cáo và Ngày lập báo cáo (ngày/tháng/năm).",
    "3. Cột (1) ghi tên đơn vị cấp dưới; dòng Tổng cộng là số liệu của toàn đơn vị.",
    "4. Số liệu là số nguyên, không ghi chữ; ô để trống là chưa báo cáo (không phải số 0).",
    "5. Số liệu tiền tính bằng nghìn đồng. Tỷ lệ tính theo phần trăm (%).",
    SYNTHETIC_NOTE,
)


@dataclass(frozen=True)
class Layout:
    """How one unit lays out its workbook; varies between units as real reports do."""

    sheet_prefix: str = ""  # "Biểu " -> sheet "Biểu THADS_VIEC"
    agency_header: tuple[str, str] | None = None  # ("UBND TỈNH HÀ GIANG", "SỞ TƯ PHÁP")
    meta_col: int = 1  # column of the metadata labels (1 = A)
    meta_gap: int = 1  # the value sits meta_gap columns right of its label
    year_as_text: bool = False  # "Năm 2022" instead of the number 2022
    date_as_text: bool = False  # "15/01/2024" instead of a date cell
    label_variant: bool = False  # the unit words its column labels its own way
    group_header: bool = False  # an extra header row with merged groups above the labels
    numbers_as_text: bool = False  # figures typed as text the Vietnamese way: "27.430"
    rate_decimals: int = 2
    rate_percent_sign: bool = False  # "84,82%" (text layouts only)
    omit: frozenset[str] = frozenset()  # optional columns the unit leaves out
    instructions: str | None = None  # "first" | "last": an "Hướng dẫn" sheet; None: none
    preparer: str = "Nguyễn Thị Hoa"
    head: str = "Hoàng Văn Thắng"


@dataclass(frozen=True)
class Row:
    label: str  # sub-unit name, or the total label as the unit writes it ("Tổng cộng")
    counts: Mapping[str, int]
    is_total: bool = False


@dataclass(frozen=True)
class Block:
    """One form's table: rows in report order."""

    form: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class WorkbookReport:
    unit_name: str | None
    unit_code: str | None
    year: int
    report_date: date | None
    blocks: tuple[Block, ...]
    layout: Layout = field(default_factory=Layout)
    period: str | None = None  # "(Từ ngày 01/01/2023 đến ngày 30/11/2023)"
    # (form, row index in the block, indicator) -> raw text written instead of the figure
    overrides: Mapping[tuple[str, int, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1258"
    vn_numbers: bool = False  # "27.430", "89,68" instead of "27430", "89.68"
    rate_decimals: int = 2
    line_terminator: str = "\n"


# --------------------------------------------------------------------------- numbers

def vn_int(value: int) -> str:
    """27430 -> '27.430' (Vietnamese thousands grouping)."""
    return f"{value:,}".replace(",", ".")


def vn_decimal(value: Decimal) -> str:
    """Decimal('89.68') -> '89,68'."""
    text = f"{value:f}"
    whole, _, frac = text.partition(".")
    return vn_int(int(whole)) + ("," + frac if frac else "")


def rate_for(indicator: str, counts: Mapping[str, int], decimals: int) -> Decimal | None:
    num, den = RATE_OPERANDS[indicator]
    return rate(counts[num], counts[den], decimals)


def columns_of(form: str, omit: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(column number, indicator) of the columns a unit prints, in order."""
    return [(n, ind) for n, ind in sorted(FORM_COLUMNS[form].items()) if ind not in omit]


# --------------------------------------------------------------------------- cp1258

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # the marks cp1258 encodes apart


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258, as Excel in a Vietnamese locale saves CSV.

    cp1258 has the letters with circumflex, breve and horn (â, ă, ơ …) precomposed but the five
    tone marks only as combining characters, so "ộ" must become "ô" + U+0323. Plain NFD is not
    enough ("ô" itself would decompose into o + U+0302, which cp1258 lacks). Raises ValueError
    if the text would not read back as the same (NFC) text.
    """
    # Work per token: a CSV repeats the same few names thousands of times.
    data = b"".join(_cp1258_token(token) for token in re.split(r"([\s;,])", text))
    if unicodedata.normalize("NFC", data.decode("cp1258")) != unicodedata.normalize("NFC", text):
        raise ValueError(f"text does not round-trip through cp1258: {text[:80]!r}")
    return data


@lru_cache(maxsize=4096)
def _cp1258_token(token: str) -> bytes:
    if token.isascii():
        return token.encode("ascii")
    out: list[str] = []
    for cluster in _clusters(unicodedata.normalize("NFD", token)):
        base, marks = cluster[0], cluster[1:]
        core = unicodedata.normalize("NFC", base + "".join(m for m in marks
                                                           if m not in _TONE_MARKS))
        candidate = core + "".join(m for m in marks if m in _TONE_MARKS)
        try:
            candidate.encode("cp1258")
        except UnicodeEncodeError:
            candidate = unicodedata.normalize("NFC", cluster)  # e.g. a precomposed "à"
        out.append(candidate)
    return "".join(out).encode("cp1258")  # UnicodeEncodeError: not Vietnamese text


def _clusters(nfd: str) -> list[str]:
    clusters: list[str] = []
    for ch in nfd:
        if clusters and unicodedata.combining(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


# --------------------------------------------------------------------------- CSV

def csv_bytes(unit_code: str, year: int, blocks: Sequence[Block], dialect: CsvDialect,
              overrides: Mapping[tuple[str, int, str], str] | None = None) -> bytes:
    """The long CSV of report-format.md: unit_code,year,form,subunit,indicator,value."""
    overrides = overrides or {}
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=dialect.delimiter, lineterminator=dialect.line_terminator)
    writer.writerow(["unit_code", "year", "form", "subunit", "indicator", "value"])
    for block in blocks:
        for index, row in enumerate(block.rows):
            subunit = "" if row.is_total else row.label
            for _, indicator in columns_of(block.form):
                key = (block.form, index, indicator)
                if key in overrides:
                    text = overrides[key]
                elif indicator in RATE_INDICATORS:
                    value = rate_for(indicator, row.counts, dialect.rate_decimals)
                    if value is None:
                        continue
                    text = vn_decimal(value) if dialect.vn_numbers else f"{value:f}"
                else:
                    count = row.counts[indicator]
                    text = vn_int(count) if dialect.vn_numbers else str(count)
                # Text from reports (sub-unit names, figures typed by hand) must never run as a
                # formula when someone opens the CSV in a spreadsheet program.
                writer.writerow([neutralise_cell(unit_code), year, neutralise_cell(block.form),
                                 neutralise_cell(subunit), indicator, neutralise_cell(text)])
    text = buf.getvalue()
    if dialect.encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(dialect.encoding)


def write_csv(path: Path, unit_code: str, year: int, blocks: Sequence[Block],
              dialect: CsvDialect,
              overrides: Mapping[tuple[str, int, str], str] | None = None) -> None:
    path.write_bytes(csv_bytes(unit_code, year, blocks, dialect, overrides))


# --------------------------------------------------------------------------- workbook

def _cell_value(layout: Layout, form: str, row: Row, indicator: str) -> tuple[object, str | None]:
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


def _sheet_rows(report: WorkbookReport, block: Block
                ) -> tuple[list[list[object]], list[tuple[int, int, int]], dict[str, int]]:
    """The sheet as a grid of values, the merges (row, first col, last col), and row marks."""
    layout = report.layout
    cols = columns_of(block.form, layout.omit)
    ncols = len(cols) + 1
    grid: list[list[object]] = []
    merges: list[tuple[int, int, int]] = []
    marks: dict[str, int] = {}

    def add(cells: dict[int, object] | None = None) -> int:
        line: list[object] = [None] * ncols
        for col, value in (cells or {}).items():
            line[col - 1] = value
        grid.append(line)
        return len(grid)

    left, right = 2, max(4, ncols - 2)  # signature columns
    if layout.agency_header:
        add({1: layout.agency_header[0], right: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"})
        add({1: layout.agency_header[1], right: "Độc lập - Tự do - Hạnh phúc"})
        add()
    marks["title"] = add({1: FORM_TITLES[block.form].format(year=report.year) + TITLE_SUFFIX})
    merges.append((marks["title"], 1, ncols))
    if report.period:
        merges.append((add({1: report.period}), 1, ncols))
    marks["note"] = add({1: SYNTHETIC_NOTE})
    merges.append((marks["note"], 1, ncols))
    add()
    label_col, value_col = layout.meta_col, layout.meta_col + layout.meta_gap
    if report.unit_name is not None:
        add({label_col: "Đơn vị báo cáo:", value_col: report.unit_name})
    if report.unit_code is not None:
        add({label_col: "Mã đơn vị:", value_col: report.unit_code})
    add({label_col: "Năm báo cáo:",
         value_col: f"Năm {report.year}" if layout.year_as_text else report.year})
    if report.report_date is not None:
        add({label_col: "Ngày lập báo cáo:",
             value_col: (report.report_date.strftime("%d/%m/%Y") if layout.date_as_text
                         else report.report_date)})
    add({label_col: "Người lập biểu:", value_col: layout.preparer})
    add()
    numbers = [n for n, _ in cols]
    if layout.group_header:
        cells: dict[int, object] = {}
        for first, last, text in GROUP_HEADERS[block.form]:
            inside = [i + 2 for i, n in enumerate(numbers) if first <= n <= last]
            if inside:
                cells[inside[0]] = text
        r = add(cells)
        for first, last, _ in GROUP_HEADERS[block.form]:
            inside = [i + 2 for i, n in enumerate(numbers) if first <= n <= last]
            if len(inside) > 1:
                merges.append((r, inside[0], inside[-1]))
    labels = (VARIANT_LABELS if layout.label_variant else LABELS)[block.form]
    marks["labels"] = add({1: "Tên đơn vị" if layout.label_variant else "Đơn vị",
                           **{i + 2: labels[ind] for i, (_, ind) in enumerate(cols)}})
    add({1: "(1)", **{i + 2: f"({n})" for i, (n, _) in enumerate(cols)}})
    marks["data"] = len(grid) + 1
    for index, row in enumerate(block.rows):
        cells = {1: row.label}
        for i, (_, indicator) in enumerate(cols):
            key = (block.form, index, indicator)
            cells[i + 2] = report.overrides[key] if key in report.overrides else (
                _cell_value(layout, block.form, row, indicator)[0])
        add(cells)
    add()
    marks["footer"] = add({left: "Người lập biểu", right: "THỦ TRƯỞNG ĐƠN VỊ"})
    add({left: "(Ký, ghi rõ họ tên)", right: "(Ký tên, đóng dấu)"})
    add()
    add({left: layout.preparer, right: layout.head})
    return grid, merges, marks


def _sheet_name(layout: Layout, form: str) -> str:
    return f"{layout.sheet_prefix}{form}"


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
        grid, merges, marks = _sheet_rows(report, block)
        cols = columns_of(block.form, layout.omit)
        if write_only:
            ws = wb.create_sheet(_sheet_name(layout, block.form))
            for line in grid:
                ws.append([_wo_cell(ws, layout, v) for v in line])
            continue
        ws = wb.create_sheet(_sheet_name(layout, block.form))
        for line in grid:
            ws.append(line)
            _protect_text(ws[ws.max_row])
        for r, first, last in merges:
            ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
        bold = Font(bold=True)
        ws.cell(marks["title"], 1).font = Font(bold=True, size=13)
        ws.cell(marks["title"], 1).alignment = Alignment(horizontal="center")
        ws.cell(marks["note"], 1).font = Font(italic=True, color="C00000")
        for c in range(1, len(cols) + 2):
            cell = ws.cell(marks["labels"], c)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for index, row in enumerate(block.rows):
            r = marks["data"] + index
            if row.is_total:
                for c in range(1, len(cols) + 2):
                    ws.cell(r, c).font = bold
            for i, (_, indicator) in enumerate(cols):
                fmt = _cell_value(layout, block.form, row, indicator)[1]
                if fmt and (block.form, index, indicator) not in report.overrides:
                    ws.cell(r, i + 2).number_format = fmt
        ws.column_dimensions["A"].width = 40
        for c in range(2, len(cols) + 2):
            ws.column_dimensions[get_column_letter(c)].width = 14
    if layout.instructions == "last":
        _instructions_sheet(wb, write_only)
    return _deterministic_xlsx(wb)


def _protect_text(cells: Sequence[object]) -> None:
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

    def writestr(self, zinfo_or_arcname, data, compress_type=None,  # type: ignore[override]
                 compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_DATE_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None,  # type: ignore[override]
              compresslevel=None):
        # write-only worksheets arrive as temporary files; store their content, not their mtime
        with open(filename, "rb") as fh:
            self.writestr(arcname or Path(filename).name, fh.read(), compress_type, compresslevel)


def _deterministic_xlsx(wb: Workbook) -> bytes:
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

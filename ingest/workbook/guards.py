"""Guards for zip-based workbooks (.xlsx, .ods), run before the native reader sees the bytes.

Calamine allocates a dense grid per sheet in native code and aborts the process if that fails,
so a zip-based workbook is checked first: the central directory (declared sizes, compression
ratio), then every member is inflated once, with CRC checks, while the sheets' XML is scanned
for the cell extent the grid will need. The same extent checks then apply to what the reader
reports for every kind (reader.py).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from operator import itemgetter
from typing import IO
from xml.etree import ElementTree

from ingest.constants import format_mib
from ingest.limits import Limits
from ingest.text import Problem
from ingest.vn_format import format_number

MAX_ZIP_MEMBERS = 10_000  # a workbook has a few dozen parts; thousands means something is off
_CHUNK = 1 << 20


@dataclass(frozen=True)
class _TagPattern:
    """A pattern over sheet XML in two compiled forms that find exactly the same matches in
    text without namespace-prefixed tags, the plain one about three times faster.

    The template writes "~" before a tag name where a prefix ("x:" in <x:c>) may stand. A
    prefix ends in ":" right before the tag name, and the pattern lets only whitespace, ">" or
    "/" follow the name; so in text where no ":" + name + one of those occurs (`prefixed`), the
    optional prefix can only match empty and may as well be left out. Sheets written by Excel
    and by openpyxl use no prefixes, so nearly every chunk runs plain.
    """

    full: re.Pattern[bytes]
    plain: re.Pattern[bytes]
    prefixed: re.Pattern[bytes]

    @classmethod
    def compile(cls, template: bytes) -> _TagPattern:
        names = sorted(set(re.findall(rb"~([a-z]+)", template)))
        return cls(re.compile(template.replace(b"~", rb"(?:[A-Za-z_][\w.-]*:)?")),
                   re.compile(template.replace(b"~", b"")),
                   re.compile(rb":(?:" + b"|".join(names) + rb")[\s>/]"))

    def for_text(self, buf: bytes) -> re.Pattern[bytes]:
        return self.full if self.prefixed.search(buf) else self.plain


# A cell element with its address: <c r="B7" ...> (optionally namespace-prefixed).
XLSX_CELL = _TagPattern.compile(rb'<~c\s(?:[^>]*?\s)?r="([A-Z]{1,3})([0-9]{1,7})"')
XLSX_ANY_CELL = _TagPattern.compile(rb"<~c[\s>/]")
# A formula cell without a cached value (written by a script, never opened in a spreadsheet
# program): calamine reads it as empty, so the figure would silently go missing. Group 1 is
# the cell's attributes: a `t="str"` cell with an empty value is a formula whose cached result
# IS the empty string (how LibreOffice and Excel save one), not an uncached formula.
XLSX_UNCACHED_FORMULA = _TagPattern.compile(
    rb'<~c\s([^>]*?r="[A-Z]{1,3}[0-9]{1,7}"[^>]*)>\s*'
    rb"<~f[\s>/][^<]*(?:</~f>)?\s*"
    rb"(?:<~v\s*/>|<~v>\s*</~v>)?"
    rb"\s*</~c>")
_STRING_RESULT = re.compile(rb'(?:^|\s)t="str"')
_CELL_REF = re.compile(rb'(?:^|\s)r="([A-Z]{1,3}[0-9]{1,7})"')
XLSX_ROW = _TagPattern.compile(rb'<~row[\s>/](?:[^>]*?\s)?(?:r="([0-9]{1,7})")?')

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _letters_to_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n  # 1-based


@dataclass
class Extent:
    """Used extent of one sheet as the native reader will allocate it."""

    rows: int = 0
    cols: int = 0

    @property
    def cells(self) -> int:
        return self.rows * self.cols


def _too_large(what: str, detail: str) -> Problem:
    return Problem("too_large", what, detail=detail)


def _corrupt(detail: str) -> Problem:
    return Problem("unreadable", "tệp bị hỏng (nội dung nén bị lỗi), không mở được; hãy lưu lại "
                                 "tệp rồi gửi lại", detail=detail)


def scan_xlsx_member(stream: IO[bytes]) -> tuple[Extent, int, list[str]]:
    """Bounding box of the cells of a worksheet part, how many bytes it inflated to, and the
    first few cells holding a formula without a cached value."""
    min_row = min_col = 1 << 30
    max_row = max_col = 0
    row_elements = cells = cells_with_ref = 0
    total = 0
    tail = b""
    uncached: list[str] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        # Matches may straddle chunks: rescan a short overlap. Double counting only inflates
        # the counts slightly, which errs on the safe side.
        buf = tail + chunk
        # A sheet has a match per cell: aggregate each chunk's matches with builtins (C loops)
        # rather than a Python statement per match. Few distinct column letters, so convert
        # those once each.
        chunk_cells = len(XLSX_ANY_CELL.for_text(buf).findall(buf))
        cells += chunk_cells
        if chunk_cells:  # the two cell patterns below only match where this one does
            refs = XLSX_CELL.for_text(buf).findall(buf)  # [(letters, digits), ...]
            if refs:
                ref_rows = list(map(int, map(itemgetter(1), refs)))
                ref_cols = list(map(_letters_to_index, set(map(itemgetter(0), refs))))
                min_row, max_row = min(min_row, min(ref_rows)), max(max_row, max(ref_rows))
                min_col, max_col = min(min_col, min(ref_cols)), max(max_col, max(ref_cols))
                cells_with_ref += len(refs)
            # ... and a formula needs an <f> element: most sheets have none.
            if len(uncached) < 10 and (b"<f" in buf or b":f" in buf):
                for m in XLSX_UNCACHED_FORMULA.for_text(buf).finditer(buf):
                    attributes = m.group(1)
                    cell_ref = _CELL_REF.search(attributes)
                    if cell_ref is None or _STRING_RESULT.search(attributes):
                        continue
                    ref = cell_ref.group(1).decode()
                    if ref not in uncached:
                        uncached.append(ref)
        row_refs = XLSX_ROW.for_text(buf).findall(buf)  # b"" for a <row> without r=
        row_elements += len(row_refs)
        numbered = list(map(int, filter(None, row_refs)))
        if numbered:
            min_row, max_row = min(min_row, min(numbered)), max(max_row, max(numbered))
        tail = buf[-256:]
    if not cells:
        return Extent(), total, uncached
    rows = max(max_row - min_row + 1 if max_row else 0, row_elements)
    cols = max_col - min_col + 1 if max_col else 0
    if cells > cells_with_ref:  # cells without an address are placed one after another
        cols = max(cols, min(cells, 16_384))
    return Extent(rows, cols), total, uncached[:10]


def scan_ods_content(stream: IO[bytes]) -> list[Extent]:
    """Extent of every table of an ODS content.xml, counting repeated rows and cells.

    ODS compresses runs of equal cells into one element with a repeat count; the native
    reader expands them, so one element can stand for billions of cells.
    """
    extents: list[Extent] = []
    rep_rows_attr = f"{{{_TABLE_NS}}}number-rows-repeated"
    rep_cols_attr = f"{{{_TABLE_NS}}}number-columns-repeated"
    value_type_attr = f"{{{_OFFICE_NS}}}value-type"
    table_tag, row_tag = f"{{{_TABLE_NS}}}table", f"{{{_TABLE_NS}}}table-row"
    cell_tags = {f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"}
    current: Extent | None = None
    row_pos = col_pos = row_last = 0
    row_rep = cell_rep = 1
    cell_filled = False
    for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
        tag = elem.tag
        if event == "start":
            if tag == table_tag:
                current = Extent()
                row_pos = 0
            elif tag == row_tag:
                row_rep = int(elem.get(rep_rows_attr, "1"))
                col_pos = row_last = 0
            elif tag in cell_tags:
                cell_rep = int(elem.get(rep_cols_attr, "1"))
                cell_filled = elem.get(value_type_attr) is not None
            elif tag.startswith(f"{{{_TEXT_NS}}}"):
                cell_filled = True
            continue
        if tag in cell_tags:
            col_pos += cell_rep
            if cell_filled:
                row_last = col_pos
            cell_filled = False
            elem.clear()
        elif tag == row_tag and current is not None:
            if row_last:
                current.cols = max(current.cols, row_last)
                current.rows = row_pos + row_rep
            row_pos += row_rep
            elem.clear()
        elif tag == table_tag and current is not None:
            extents.append(current)
            current = None
            elem.clear()
    return extents


def check_zip_workbook(data: bytes, kind: str, limits: Limits,
                       warnings: list[str] | None = None) -> None:
    """Refuse a zip-based workbook (xlsx, ods) that would inflate or expand beyond the limits.

    The declared sizes are checked from the central directory before anything is inflated;
    then every member is inflated once with a running total, so a directory that lies about
    sizes fails its CRC check (the inflater stops at the declared size) instead of flooding
    memory later.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _corrupt(f"zip central directory: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _too_large(f"tệp có quá nhiều thành phần ({len(infos)}); không phải bảng tính "
                             f"báo cáo thông thường", f"{len(infos)} zip members")
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_inflated_bytes:
            raise _too_large(
                f"nội dung tệp khi giải nén lên tới {format_mib(declared)}, vượt giới hạn "
                f"{format_mib(limits.max_inflated_bytes)}; tệp báo cáo thông thường chỉ vài "
                f"trăm KB",
                f"declared inflated size {declared} > {limits.max_inflated_bytes}")
        for info in infos:
            if info.file_size < limits.ratio_min_member_bytes:
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise _too_large(
                    f"tệp có thành phần nén bất thường (tỷ lệ nén {format_number(ratio)} lần), "
                    f"có thể là tệp độc hại (zip bomb); không đọc",
                    f"member {info.filename!r} ratio {ratio:.0f} > {limits.max_compression_ratio}")
        inflated = 0
        total_cells = 0
        try:
            for info in infos:
                with archive.open(info) as stream:
                    extents: list[Extent] = []
                    if kind == "xlsx" and info.filename.lower().endswith(".xml"):
                        extent, size, uncached = scan_xlsx_member(stream)
                        extents.append(extent)
                        if uncached and warnings is not None:
                            warnings.append(
                                f"{info.filename}: formulas without cached values read as "
                                f"empty (file not saved by a spreadsheet program?): "
                                f"{', '.join(uncached)}")
                    elif kind == "ods" and info.filename == "content.xml":
                        extents = scan_ods_content(stream)
                        size = info.file_size
                        while stream.read(_CHUNK):  # drain to reach the CRC check
                            pass
                    else:
                        size = 0
                        while chunk := stream.read(_CHUNK):
                            size += len(chunk)
                inflated += size
                if inflated > limits.max_inflated_bytes:
                    raise _too_large(
                        f"nội dung tệp khi giải nén vượt giới hạn "
                        f"{format_mib(limits.max_inflated_bytes)}",
                        "inflated size exceeded while reading")
                for extent in extents:
                    check_extent(extent, limits, info.filename)
                    total_cells += extent.cells
                    check_workbook_cells(total_cells, limits)
        except Problem:
            raise
        except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
            raise Problem("unreadable", "tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy gỡ "
                                        "mật khẩu rồi gửi lại", detail=str(exc)) from exc
        except NotImplementedError as exc:
            raise _corrupt(f"unsupported zip compression: {exc}") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                ElementTree.ParseError) as exc:
            raise _corrupt(f"{type(exc).__name__}: {exc}") from exc


def check_workbook_cells(total_cells: int, limits: Limits) -> None:
    """Refuse a workbook whose sheets together hold more cells than the limit."""
    if total_cells > limits.max_cells:
        raise _too_large(f"bảng tính có quá nhiều ô (hơn {format_number(limits.max_cells)} ô)",
                         f"workbook cells {total_cells} > {limits.max_cells}")


def check_extent(extent: Extent, limits: Limits, where: str) -> None:
    """Refuse one sheet whose grid would exceed the row or cell limit; `where` names it in
    the English detail."""
    if extent.rows > limits.max_rows:
        raise _too_large(
            f"bảng tính có quá nhiều dòng ({format_number(extent.rows)} dòng, giới hạn "
            f"{format_number(limits.max_rows)})",
            f"{where}: {extent.rows} rows > {limits.max_rows}")
    if extent.cells > limits.max_cells:
        raise _too_large(
            f"bảng tính có quá nhiều ô ({format_number(extent.cells)} ô, giới hạn "
            f"{format_number(limits.max_cells)})",
            f"{where}: {extent.cells} cells > {limits.max_cells}")

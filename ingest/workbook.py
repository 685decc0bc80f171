"""Reading workbooks (.xlsx, .xls, .ods): guards, sheets, metadata lines and the form table.

Layout rules are those of report-format.md: one sheet per form, metadata lines ("label, then
value in the next non-empty cell") above a table whose column-number row "(1) (2) …" fixes the
meaning of each column; data rows follow until a blank row or a footer. This module finds
those parts and returns raw cells with their A1 addresses; checking the values and the unit is
ingest.parse's job, so the same checks serve the CSV reader.

All three kinds are read with python-calamine (native, fast). Calamine allocates a dense grid
per sheet in native code and aborts the process if that fails, so zip-based workbooks are
checked first: the central directory (declared sizes, compression ratio), then every member
is inflated once, with CRC checks, while the sheets' XML is scanned for the cell extent the
grid will need. Only then is calamine called.

The legacy .xls reader (an OLE2 compound file holding BIFF records) has no such cheap
pre-check, and a single damaged size field in it (e.g. a DIMENSIONS record whose first row is
after its last) makes calamine request terabytes and abort the whole process. So .xls files
are read in a short-lived child process: if the child dies, the file is rejected and the load
carries on. They are rare, so the ~0.2 s a child costs does not matter.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from ingest.forms import FORM_COLUMNS
from ingest.limits import MIB, Limits
from ingest.text import Problem, echo, is_blank, normalise_key

MAX_ZIP_MEMBERS = 10_000  # a workbook has a few dozen parts; thousands means something is off
_CHUNK = 1 << 20
ISOLATED_KINDS = frozenset({"xls"})  # read in a child process (see the module docstring)
CHILD_TIMEOUT_SECONDS = 60
CHILD_MEMORY_BYTES = 2 * 1024 * MIB  # address space of the child; a real .xls needs ~100 MB

# ---------------------------------------------------------------------------------------------
# Cell addresses and message locations


@lru_cache(maxsize=1024)  # one call per cell address; reports use a few dozen columns
def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """A1 address of a 0-based (row, col)."""
    return f"{column_letters(col)}{row + 1}"


def sheet_ref(sheet_name: str) -> str:
    """The sheet part of an Excel reference, quoted when the name needs it ('Biểu 01'!A1)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet_name):
        return sheet_name
    return "'" + sheet_name.replace("'", "''") + "'"


def sheet_where(sheet_name: str, form: str | None) -> str:
    """How a sheet is named to an officer: "biểu THADS_VIEC", or with its tab name if it differs."""
    if form is not None and sheet_name.strip().upper() == form:
        return f"biểu {form}"
    if form is not None:
        return f'biểu {form} (trang tính "{echo(sheet_name)}")'
    return f'trang tính "{echo(sheet_name)}"'


def _mb(n: int) -> str:
    return f"{n / MIB:.1f}".replace(".", ",") + " MB"


# ---------------------------------------------------------------------------------------------
# Guards for zip-based workbooks (run before calamine sees the bytes)


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
_XLSX_CELL = _TagPattern.compile(rb'<~c\s(?:[^>]*?\s)?r="([A-Z]{1,3})([0-9]{1,7})"')
_XLSX_ANY_CELL = _TagPattern.compile(rb"<~c[\s>/]")
# A formula cell without a cached value (written by a script, never opened in a spreadsheet
# program): calamine reads it as empty, so the figure would silently go missing.
_XLSX_UNCACHED_FORMULA = _TagPattern.compile(
    rb'<~c\s[^>]*?r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*'
    rb"<~f[\s>/][^<]*(?:</~f>)?\s*"
    rb"(?:<~v\s*/>|<~v>\s*</~v>)?"
    rb"\s*</~c>")
_XLSX_ROW = _TagPattern.compile(rb'<~row[\s>/](?:[^>]*?\s)?(?:r="([0-9]{1,7})")?')

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _letters_to_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n  # 1-based


@dataclass
class _Extent:
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


def _scan_xlsx_member(stream: io.BufferedIOBase) -> tuple[_Extent, int, list[str]]:
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
        chunk_cells = len(_XLSX_ANY_CELL.for_text(buf).findall(buf))
        cells += chunk_cells
        if chunk_cells:  # the two cell patterns below only match where this one does
            refs = _XLSX_CELL.for_text(buf).findall(buf)  # [(letters, digits), ...]
            if refs:
                ref_rows = list(map(int, map(itemgetter(1), refs)))
                ref_cols = list(map(_letters_to_index, set(map(itemgetter(0), refs))))
                min_row, max_row = min(min_row, min(ref_rows)), max(max_row, max(ref_rows))
                min_col, max_col = min(min_col, min(ref_cols)), max(max_col, max(ref_cols))
                cells_with_ref += len(refs)
            # ... and a formula needs an <f> element: most sheets have none.
            if len(uncached) < 10 and (b"<f" in buf or b":f" in buf):
                for m in _XLSX_UNCACHED_FORMULA.for_text(buf).finditer(buf):
                    ref = m.group(1).decode()
                    if ref not in uncached:
                        uncached.append(ref)
        row_refs = _XLSX_ROW.for_text(buf).findall(buf)  # b"" for a <row> without r=
        row_elements += len(row_refs)
        numbered = list(map(int, filter(None, row_refs)))
        if numbered:
            min_row, max_row = min(min_row, min(numbered)), max(max_row, max(numbered))
        tail = buf[-256:]
    if not cells:
        return _Extent(), total, uncached
    rows = max(max_row - min_row + 1 if max_row else 0, row_elements)
    cols = max_col - min_col + 1 if max_col else 0
    if cells > cells_with_ref:  # cells without an address are placed one after another
        cols = max(cols, min(cells, 16_384))
    return _Extent(rows, cols), total, uncached[:10]


def _scan_ods_content(stream: io.BufferedIOBase) -> list[_Extent]:
    """Extent of every table of an ODS content.xml, counting repeated rows and cells.

    ODS compresses runs of equal cells into one element with a repeat count; the native
    reader expands them, so one element can stand for billions of cells.
    """
    extents: list[_Extent] = []
    rep_rows_attr = f"{{{_TABLE_NS}}}number-rows-repeated"
    rep_cols_attr = f"{{{_TABLE_NS}}}number-columns-repeated"
    value_type_attr = f"{{{_OFFICE_NS}}}value-type"
    table_tag, row_tag = f"{{{_TABLE_NS}}}table", f"{{{_TABLE_NS}}}table-row"
    cell_tags = {f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"}
    current: _Extent | None = None
    row_pos = col_pos = row_last = 0
    row_rep = cell_rep = 1
    cell_filled = False
    for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
        tag = elem.tag
        if event == "start":
            if tag == table_tag:
                current = _Extent()
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
                f"nội dung tệp khi giải nén lên tới {_mb(declared)}, vượt giới hạn "
                f"{_mb(limits.max_inflated_bytes)}; tệp báo cáo thông thường chỉ vài trăm KB",
                f"declared inflated size {declared} > {limits.max_inflated_bytes}")
        for info in infos:
            if info.file_size < limits.ratio_min_member_bytes:
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise _too_large(
                    f"tệp có thành phần nén bất thường (tỷ lệ nén {ratio:.0f} lần), có thể là "
                    f"tệp độc hại (zip bomb); không đọc",
                    f"member {info.filename!r} ratio {ratio:.0f} > {limits.max_compression_ratio}")
        inflated = 0
        total_cells = 0
        try:
            for info in infos:
                with archive.open(info) as stream:
                    extents: list[_Extent] = []
                    if kind == "xlsx" and info.filename.lower().endswith(".xml"):
                        extent, size, uncached = _scan_xlsx_member(stream)
                        extents.append(extent)
                        if uncached and warnings is not None:
                            warnings.append(
                                f"{info.filename}: formulas without cached values read as "
                                f"empty (file not saved by a spreadsheet program?): "
                                f"{', '.join(uncached)}")
                    elif kind == "ods" and info.filename == "content.xml":
                        extents = _scan_ods_content(stream)
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
                        f"nội dung tệp khi giải nén vượt giới hạn {_mb(limits.max_inflated_bytes)}",
                        "inflated size exceeded while reading")
                for extent in extents:
                    _check_extent(extent, limits, info.filename)
                    total_cells += extent.cells
                    if total_cells > limits.max_cells:
                        raise _too_large(_too_many_cells(limits),
                                         f"workbook cells {total_cells} > {limits.max_cells}")
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


def _too_many_cells(limits: Limits) -> str:
    return f"bảng tính có quá nhiều ô (hơn {limits.max_cells:,} ô)".replace(",", ".")


def _check_extent(extent: _Extent, limits: Limits, where: str) -> None:
    if extent.rows > limits.max_rows:
        raise _too_large(
            f"bảng tính có quá nhiều dòng ({extent.rows:,} dòng, giới hạn {limits.max_rows:,})"
            .replace(",", "."), f"{where}: {extent.rows} rows > {limits.max_rows}")
    if extent.cells > limits.max_cells:
        raise _too_large(
            f"bảng tính có quá nhiều ô ({extent.cells:,} ô, giới hạn {limits.max_cells:,})"
            .replace(",", "."), f"{where}: {extent.cells} cells > {limits.max_cells}")


# ---------------------------------------------------------------------------------------------
# Sheets


@dataclass(frozen=True)
class SheetGrid:
    """The used area of one sheet: rows[i][j] is the cell at (row0 + i, col0 + j), 0-based."""

    name: str
    rows: list[list[object]]
    row0: int = 0
    col0: int = 0

    def ref(self, i: int, j: int) -> str:
        return cell_ref(self.row0 + i, self.col0 + j)


def is_native_panic(exc: BaseException) -> bool:
    """A panic inside python-calamine's Rust code (e.g. a date-formatted cell holding
    -9.2e18 makes it overflow a time delta). pyo3 raises it as PanicException, which derives
    from BaseException, so `except Exception` does not catch it and one bad cell would stop
    the whole load."""
    return type(exc).__name__ == "PanicException"


def read_workbook(data: bytes, kind: str, limits: Limits,
                  warnings: list[str] | None = None) -> list[SheetGrid]:
    """Every worksheet of the workbook, in tab order, as grids (after the limit checks)."""
    if kind in ISOLATED_KINDS:
        return _read_in_child(data, kind, limits, warnings)
    return read_workbook_in_process(data, kind, limits, warnings)


def _unreadable_in_child(detail: str) -> Problem:
    return Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                 "hãy mở tệp bằng Excel, lưu lại rồi gửi lại", detail=detail)


def _read_in_child(data: bytes, kind: str, limits: Limits,
                   warnings: list[str] | None) -> list[SheetGrid]:
    """read_workbook_in_process in a child process, so a native crash rejects only this file.

    The child gets the bytes and limits on stdin and answers with a pickle on stdout; it is
    our own code in our own venv, and its only input is the file, so the pickle is trusted as
    much as the code that wrote it."""
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from ingest.workbook import _child_main; _child_main()"],
            input=pickle.dumps((data, kind, limits)), capture_output=True, env=env,
            timeout=CHILD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise _unreadable_in_child(f"reading the {kind} file took over "
                                   f"{CHILD_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0 or not done.stdout:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise _unreadable_in_child(f"{kind} reader exited with {done.returncode}: {tail[0]}")
    status, payload, child_warnings = pickle.loads(done.stdout)  # noqa: S301 - our own child
    if warnings is not None:
        warnings.extend(child_warnings)
    if status == "problem":
        code, what, where, detail = payload
        raise Problem(code, what, where, detail=detail)
    return payload


def _child_main() -> None:
    """Entry point of the child process of `_read_in_child`."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):  # not on this platform: the parent still copes
        pass
    data, kind, limits = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    warnings: list[str] = []
    try:
        grids = read_workbook_in_process(data, kind, limits, warnings)
        answer: tuple = ("ok", grids, warnings)
    except Problem as problem:
        answer = ("problem", (problem.code, problem.what, problem.where, problem.detail),
                  warnings)
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.flush()


def read_workbook_in_process(data: bytes, kind: str, limits: Limits,
                             warnings: list[str] | None = None) -> list[SheetGrid]:
    """read_workbook in this process: for zip-based kinds, after the guards above."""
    if kind in ("xlsx", "ods"):
        check_zip_workbook(data, kind, limits, warnings)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise Problem("unreadable", "tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy gỡ "
                                    "mật khẩu rồi gửi lại", detail=str(exc)) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                    "hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
                      detail=f"calamine: {type(exc).__name__}: {exc}") from exc
    except BaseException as exc:
        if not is_native_panic(exc):
            raise
        raise Problem("unreadable", "tệp bị hỏng hoặc không phải bảng tính hợp lệ, không mở được; "
                                    "hãy mở tệp bằng Excel, lưu lại rồi gửi lại",
                      detail=f"calamine panic: {exc}") from exc
    grids: list[SheetGrid] = []
    total_cells = 0
    with workbook:
        try:
            metadata = workbook.sheets_metadata
        except (CalamineError, ValueError):
            metadata = []
        except BaseException as exc:
            if not is_native_panic(exc):
                raise
            metadata = []
        for index, name in enumerate(workbook.sheet_names):
            if index < len(metadata) and metadata[index].typ != SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets hold no cells
            try:
                sheet = workbook.get_sheet_by_index(index)
                start = sheet.start
                if start is None:
                    grids.append(SheetGrid(name, []))
                    continue
                extent = _Extent(sheet.height, sheet.width)
                _check_extent(extent, limits, f"sheet {name!r}")
                total_cells += extent.cells
                if total_cells > limits.max_cells:
                    raise _too_large(_too_many_cells(limits),
                                     f"workbook cells {total_cells} > {limits.max_cells}")
                rows = sheet.to_python(skip_empty_area=True)
            except Problem:
                raise
            except (CalamineError, ValueError, OSError) as exc:
                raise Problem(
                    "unreadable",
                    f"{sheet_where(name, None)} bị hỏng, không đọc được; hãy lưu lại tệp rồi "
                    "gửi lại",
                    detail=f"calamine sheet {name!r}: {type(exc).__name__}: {exc}") from exc
            except BaseException as exc:
                if not is_native_panic(exc):
                    raise
                raise Problem(
                    "unreadable",
                    f"{sheet_where(name, None)} có ô không đọc được (thường là ô ngày tháng, ví "
                    "dụ Ngày lập báo cáo, chứa một số quá lớn hoặc âm); hãy sửa ô đó rồi gửi lại",
                    detail=f"calamine panic on sheet {name!r}: {exc}") from exc
            grids.append(SheetGrid(name, rows, start[0], start[1]))
    return grids


# ---------------------------------------------------------------------------------------------
# Which sheet is which form

_FORM_KEYS = {normalise_key(form): form for form in FORM_COLUMNS}
_SHEET_PREFIX_WORDS = frozenset({"bieu", "mau", "so"})


def form_for_sheet_name(name: str) -> str | None:
    """The form code a sheet name denotes ("PBGDPL", " thads_viec ", "Biểu số 01 HOAGIAI"), or
    None. Leading words "Biểu", "Mẫu", "số" and form numbers are tolerated."""
    tokens = normalise_key(name).split()
    while tokens and (tokens[0] in _SHEET_PREFIX_WORDS or tokens[0].isdigit()):
        tokens.pop(0)
    return _FORM_KEYS.get(" ".join(tokens))


# ---------------------------------------------------------------------------------------------
# The table and the metadata lines

_COLUMN_NUMBER = re.compile(r"\(\s*(\d{1,3})\s*\)")

META_LABELS: dict[str, str] = {
    **dict.fromkeys(("don vi bao cao", "ten don vi bao cao", "co quan bao cao",
                     "don vi gui bao cao"), "unit_name"),
    **dict.fromkeys(("ma don vi", "ma don vi bao cao", "ma dv", "ma co quan"), "unit_code"),
    **dict.fromkeys(("nam bao cao", "ky bao cao", "nam"), "year"),
    **dict.fromkeys(("ngay lap bao cao", "ngay bao cao", "ngay lap", "ngay lap bieu"),
                    "report_date"),
    **dict.fromkeys(("nguoi lap bieu", "nguoi lap bao cao", "nguoi lap"), "preparer"),
}
_FOOTER_PREFIXES = ("nguoi lap", "thu truong", "ghi chu", "noi nhan", "ke toan", "lanh dao",
                    "xac nhan", "giam doc", "cuc truong")
_TOTAL_KEYS = frozenset({"tong cong", "tong so", "tong", "cong"})
_PLACE_DATE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")


def is_total_label(text: object) -> bool:
    """"Tổng cộng", "TỔNG SỐ", "Tong", "Cộng:" … name the total row."""
    return isinstance(text, str) and normalise_key(text) in _TOTAL_KEYS


def column_number(cell: object) -> int | None:
    """The n of a column-number cell "(n)". Excel turns a typed "(3)" into the number -3
    (accounting notation), so a negative whole number counts too."""
    if isinstance(cell, str):
        match = _COLUMN_NUMBER.fullmatch(cell.strip())
        return int(match.group(1)) if match else None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if cell < 0 and float(cell).is_integer() and -cell <= 999:
            return int(-cell)
    return None


def find_column_row(rows: list[list[object]]) -> tuple[int, list[tuple[int, int]]] | None:
    """(row index, [(column index, column number)…]) of the first column-number row, or None.

    The row must hold "(1)" and at least one more "(n)", and numbers must make up at least half
    of its non-empty cells, so a stray "(1)" in a title or note is not taken for the table.
    """
    for i, row in enumerate(rows):
        numbered: list[tuple[int, int]] = []
        filled = 0
        for j, cell in enumerate(row):
            if cell is None or (isinstance(cell, str) and not cell.strip()):  # is_blank, inlined
                continue
            filled += 1
            n = column_number(cell)
            if n is not None:
                numbered.append((j, n))
        if len(numbered) >= 2 and any(n == 1 for _, n in numbered) and 2 * len(numbered) >= filled:
            return i, numbered
    return None


def looks_like_report_table(grid: SheetGrid) -> bool:
    """A column-number row with at least one filled value cell under it: a report table, as
    opposed to an instructions sheet that merely shows the numbered header."""
    found = find_column_row(grid.rows)
    if found is None:
        return False
    header_i, numbered = found
    name_col = next(j for j, n in numbered if n == 1)
    value_cols = [(j, n) for j, n in numbered if n != 1]
    return any(row.values for row in _data_rows(grid, header_i, name_col, value_cols))


@dataclass(frozen=True)
class MetaField:
    value: object
    ref: str  # A1 address of the cell holding the value


@dataclass(frozen=True)
class RawRow:
    """One data row: the sub-unit cell and the non-empty value cells (column number, raw, A1)."""

    subunit: object
    subunit_ref: str
    sheet_row: int  # 1-based row number as the officer sees it
    values: tuple[tuple[int, object, str], ...]


@dataclass(frozen=True)
class SheetTable:
    sheet_name: str
    form: str
    meta: dict[str, MetaField]
    rows: tuple[RawRow, ...]
    where: str
    blank: bool = False  # the sheet has no content at all
    notes: tuple[str, ...] = field(default=())

    @property
    def has_values(self) -> bool:
        return any(row.values for row in self.rows)


def _first_value_after(row: list[object], j: int) -> int | None:
    for k in range(j + 1, len(row)):
        if not is_blank(row[k]):
            return k
    return None


def read_metadata(grid: SheetGrid, upto: int) -> dict[str, MetaField]:
    """Metadata lines in rows [0, upto): "label" then its value in the next non-empty cell of
    the row, or "label: value" in one cell. The first occurrence of each label wins."""
    meta: dict[str, MetaField] = {}
    for i in range(min(upto, len(grid.rows))):
        row = grid.rows[i]
        j = 0
        while j < len(row):
            cell = row[j]
            if isinstance(cell, str) and cell.strip():  # a text cell, not blank
                name = META_LABELS.get(normalise_key(cell))
                if name is not None:
                    k = _first_value_after(row, j)
                    if k is not None and META_LABELS.get(normalise_key(row[k])) is None:
                        meta.setdefault(name, MetaField(row[k], grid.ref(i, k)))
                        j = k + 1
                        continue
                elif ":" in cell:
                    left, _, right = cell.partition(":")
                    name = META_LABELS.get(normalise_key(left))
                    if name is not None and right.strip():
                        meta.setdefault(name, MetaField(right.strip(), grid.ref(i, j)))
            j += 1
    return meta


def _header_top(grid: SheetGrid, header_i: int, numbered_cols: list[int]) -> int:
    """First row of the column-label block above the column-number row.

    The row right above the numbers holds the labels; rows further up that fill three or more
    of the numbered columns are upper levels of a multi-row header ("Tên đơn vị" merged over
    two rows sits in the upper one) and are not metadata lines.
    """
    top = max(header_i - 1, 0)
    while top > 0:
        row = grid.rows[top - 1]
        filled = sum(1 for j in numbered_cols if j < len(row) and not is_blank(row[j]))
        if filled < 3:
            break
        top -= 1
    return top


def _filled(row: list[object]) -> list[object]:
    """The cells of a row that are not blank (is_blank, inlined: this runs for every cell)."""
    return [c for c in row if c is not None and not (isinstance(c, str) and not c.strip())]


def _is_footer(row: list[object], texts: list[object], name_col: int) -> bool:
    """Whether a data row is the footer under the table; `texts` are its non-blank cells."""
    first = texts[0]
    if isinstance(first, str) and normalise_key(first).startswith(_FOOTER_PREFIXES):
        return True
    # "Lào Cai, ngày 15 tháng 11 năm 2022" under the table, outside column (1).
    name_blank = name_col >= len(row) or is_blank(row[name_col])
    return name_blank and all(isinstance(c, str) for c in texts) and any(
        _PLACE_DATE.search(normalise_key(c)) for c in texts)


def read_table(grid: SheetGrid, form: str) -> SheetTable:
    """Locate the form's table in a sheet and return its metadata and raw data rows.

    Raises Problem for a table whose columns cannot be identified: no column-number row,
    a number not in the form (unknown_column), a number given twice (duplicate_indicator).
    """
    where = sheet_where(grid.name, form)
    found = find_column_row(grid.rows)
    if found is None:
        if all(is_blank(c) for row in grid.rows for c in row):
            return SheetTable(grid.name, form, {}, (), where, blank=True)
        raise Problem("unknown_column",
                      "không tìm thấy dòng đánh số cột (1), (2), (3)… ngay dưới dòng tên cột; "
                      "hãy dùng đúng mẫu biểu", where,
                      detail="no column-number row")
    header_i, numbered = found
    columns = FORM_COLUMNS[form]
    seen: dict[int, str] = {}
    name_col = -1
    value_cols: list[tuple[int, int]] = []  # (column index, column number)
    for j, n in numbered:
        ref = grid.ref(header_i, j)
        if n in seen:
            raise Problem("duplicate_indicator",
                          f"cột ({n}) được đánh số hai lần (ô {seen[n]} và ô {ref})", where)
        seen[n] = ref
        if n == 1:
            name_col = j
        elif n in columns:
            value_cols.append((j, n))
        else:
            raise Problem("unknown_column",
                          f"cột ({n}) không có trong biểu {form} (biểu có các cột (1) đến "
                          f"({max(columns)}))", f"{where}, ô {ref}")
    meta = read_metadata(grid, _header_top(grid, header_i, [j for j, _ in numbered]))
    rows = tuple(row for row in _data_rows(grid, header_i, name_col, value_cols) if row.values)
    return SheetTable(grid.name, form, meta, rows, where)


def _data_rows(grid: SheetGrid, header_i: int, name_col: int,
               value_cols: list[tuple[int, int]]) -> Iterator[RawRow]:
    """Rows under the column-number row, up to the first empty row or footer line. Rows
    without values (section headings, sub-units that reported nothing) come with no values."""
    # Cell addresses as grid.ref() writes them, with each column's letters looked up once.
    name_letters = column_letters(grid.col0 + name_col)
    value_letters = [(j, n, column_letters(grid.col0 + j)) for j, n in value_cols]
    for i in range(header_i + 1, len(grid.rows)):
        row = grid.rows[i]
        texts = _filled(row)
        if not texts:
            return  # the table ends at the first empty row
        if _is_footer(row, texts, name_col):
            return
        number = grid.row0 + i + 1
        width = len(row)
        values = tuple((n, row[j], f"{letters}{number}") for j, n, letters in value_letters
                       if j < width and not is_blank(row[j]))
        subunit = row[name_col] if name_col < width else None
        yield RawRow(subunit, f"{name_letters}{number}", number, values)

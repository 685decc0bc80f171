"""Small builders that write real report files (xlsx, ods, xls, csv) for the ingest tests.

A report sheet is first laid out as a grid of cells (`Grid`), in the shape report-format.md
describes (title rows, metadata lines, column labels, column numbers, data rows, footer), and
then written by a real writer: openpyxl for .xlsx, odfpy for .ods, xlwt for .xls. Tests tweak
the grid to produce each quirk or defect.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ingest.forms import FORM_COLUMNS

Cell = object


@dataclass
class Grid:
    """Cells of one sheet (row-major, None = empty) and merged ranges (r1, c1, r2, c2, 0-based)."""

    cells: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def find(self, value: Cell) -> tuple[int, int]:
        for i, row in enumerate(self.cells):
            for j, cell in enumerate(row):
                if cell == value:
                    return i, j
        raise KeyError(value)

    def set(self, i: int, j: int, value: Cell) -> None:
        while len(self.cells) <= i:
            self.cells.append([])
        row = self.cells[i]
        while len(row) <= j:
            row.append(None)
        row[j] = value

    def row_of(self, first_cell: Cell) -> int:
        """Index of the row whose column-(1) cell (after the padding) equals `first_cell`."""
        for i, row in enumerate(self.cells):
            if first_cell in row:
                return i
        raise KeyError(first_cell)


DEFAULT_LABELS: dict[str, dict[int, str]] = {
    "PBGDPL": {1: "Đơn vị", 2: "Số cuộc PBGDPL trực tiếp", 3: "Số lượt người tham dự",
               4: "Số tài liệu phát hành", 5: "Số báo cáo viên", 6: "Số tuyên truyền viên"},
    "HOAGIAI": {1: "Đơn vị", 2: "Số tổ hòa giải", 3: "Số hòa giải viên", 4: "Tổng số vụ việc",
                5: "Hòa giải thành", 6: "Không thành", 7: "Đang hòa giải", 8: "Tỷ lệ (%)"},
}
for _form in ("THADS_VIEC", "THADS_TIEN"):
    DEFAULT_LABELS[_form] = {1: "Đơn vị", **{n: f"Cột {n}" for n in FORM_COLUMNS[_form]}}


def report_grid(
    form: str,
    rows: Sequence[tuple[str | None, Mapping[str, Cell]]],
    *,
    unit_name: str | None = "Sở Tư pháp tỉnh Lào Cai",
    unit_code: str | None = None,
    year: Cell = 2022,
    report_date: Cell = None,
    preparer: str | None = None,
    title: bool = True,
    pad: int = 0,
    columns: Sequence[int] | None = None,
    column_marks: Mapping[int, Cell] | None = None,
    meta_labels: Mapping[str, str] | None = None,
    footer: bool = True,
    metadata: bool = True,
) -> Grid:
    """A form sheet: optional title rows, metadata lines, labels, "(n)" numbers, data, footer.

    `rows` are (sub-unit name or "Tổng cộng", {indicator: cell}). `pad` shifts the table right
    by that many empty columns; `columns` chooses which column numbers appear (default: all);
    `column_marks` overrides the cell written in the number row for a column.
    """
    labels = {
        "unit_name": "Đơn vị báo cáo:", "unit_code": "Mã đơn vị:", "year": "Năm báo cáo:",
        "report_date": "Ngày lập báo cáo:", "preparer": "Người lập biểu:",
        **(meta_labels or {}),
    }
    numbers = [1, *(columns if columns is not None else FORM_COLUMNS[form])]
    lead = [None] * pad
    grid = Grid([])
    if title:
        grid.cells.append(lead + [f"BÁO CÁO THỐNG KÊ BIỂU {form}"])
        grid.merges.append((0, pad, 0, pad + len(numbers) - 1))
        grid.cells.append([])
    if metadata:
        for key, value in (("unit_name", unit_name), ("unit_code", unit_code), ("year", year),
                           ("report_date", report_date), ("preparer", preparer)):
            if value is not None:
                grid.cells.append(lead + [labels[key], None, value])
        grid.cells.append([])
    all_labels = DEFAULT_LABELS[form]
    grid.cells.append(lead + [all_labels.get(n, f"Cột {n}") for n in numbers])
    marks = column_marks or {}
    grid.cells.append(lead + [marks.get(n, f"({n})") for n in numbers])
    columns_of_form = FORM_COLUMNS[form]
    for subunit, values in rows:
        line: list[Cell] = [subunit]
        for n in numbers[1:]:
            indicator = columns_of_form.get(n)
            line.append(values.get(indicator) if indicator else None)
        grid.cells.append(lead + line)
    if footer:
        grid.cells.append([])
        grid.cells.append(lead + ["Người lập biểu", None, None, "Thủ trưởng đơn vị"])
    return grid


# ---------------------------------------------------------------------------------------------
# Writers


def write_xlsx(path: Path, sheets: Mapping[str, Grid | list[list[Cell]]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, grid in sheets.items():
        grid = grid if isinstance(grid, Grid) else Grid(grid)
        sheet = workbook.create_sheet(title=name)
        for i, row in enumerate(grid.cells):
            for j, value in enumerate(row):
                if value is not None:
                    cell = sheet.cell(row=i + 1, column=j + 1, value=value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"  # keep formula-like text as text, as a user could
                    if isinstance(value, (date, datetime)):
                        cell.number_format = "DD/MM/YYYY"
        for r1, c1, r2, c2 in grid.merges:
            sheet.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1,
                              end_column=c2 + 1)
    workbook.save(path)
    return path


def write_ods(path: Path, sheets: Mapping[str, Grid | list[list[Cell]]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, grid in sheets.items():
        grid = grid if isinstance(grid, Grid) else Grid(grid)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in grid.merges}
        covered = {(r, c) for r1, c1, r2, c2 in grid.merges
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(spans)
        width = max((len(row) for row in grid.cells), default=0)
        table = Table(name=name)
        for i, row in enumerate(grid.cells):
            table_row = TableRow()
            for j in range(width):
                value = row[j] if j < len(row) else None
                if (i, j) in covered:
                    table_row.addElement(CoveredTableCell())
                    continue
                attrs: dict[str, object] = {}
                if (i, j) in spans:
                    attrs["numberrowsspanned"], attrs["numbercolumnsspanned"] = spans[(i, j)]
                if value is None:
                    cell = TableCell(**attrs)
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **attrs)
                    cell.addElement(P(text=str(value).upper()))
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                elif isinstance(value, (date, datetime)):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
                    cell.addElement(P(text=value.strftime("%d/%m/%Y")))
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_xls(path: Path, sheets: Mapping[str, Grid | list[list[Cell]]]) -> Path:
    path.write_bytes(xls_bytes(sheets))
    return path


def xls_bytes(sheets: Mapping[str, Grid | list[list[Cell]]]) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, grid in sheets.items():
        grid = grid if isinstance(grid, Grid) else Grid(grid)
        sheet = workbook.add_sheet(name)
        merged_origin = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in grid.merges}
        for i, row in enumerate(grid.cells):
            for j, value in enumerate(row):
                if value is None:
                    continue
                is_date = isinstance(value, (date, datetime))
                style = date_style if is_date else xlwt.Style.default_style
                if (i, j) in merged_origin:
                    r2, c2 = merged_origin[(i, j)]
                    sheet.write_merge(i, r2, j, c2, value, style)
                else:
                    sheet.write(i, j, value, style)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 the way Vietnamese Windows does: base letters precomposed
    (â, ê, ô, ơ, ư, ă, đ), tone marks as separate combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in parts if c not in tones)
        marks = "".join(c for c in parts if c in tones)
        out.append(unicodedata.normalize("NFC", base) + marks)
    return "".join(out).encode("cp1258")


CSV_HEADER = ("unit_code", "year", "form", "subunit", "indicator", "value")


def csv_text(rows: Iterable[Sequence[object]], *, delimiter: str = ",",
             header: Sequence[str] | None = CSV_HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def write_csv(path: Path, rows: Iterable[Sequence[object]], *, delimiter: str = ",",
              encoding: str = "utf-8", bom: bool = False,
              header: Sequence[str] | None = CSV_HEADER) -> Path:
    text = csv_text(rows, delimiter=delimiter, header=header)
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# ---------------------------------------------------------------------------------------------
# Hostile and broken files


def write_zip_bomb_xlsx(path: Path, template: Path,
                        inflated_bytes: int = 150 * 1024 * 1024) -> Path:
    """Copy a real xlsx, replacing its first sheet's XML by `inflated_bytes` of zeros (deflated
    to ~0.1% of that): honest sizes in the central directory, absurd when inflated."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(template) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(member, "w", force_zip64=True) as out:
                    remaining = inflated_bytes
                    while remaining > 0:
                        out.write(chunk[: min(len(chunk), remaining)])
                        remaining -= len(chunk)
            else:
                dst.writestr(info, src.read(info.filename))
    return path


def write_sparse_xlsx(path: Path, template: Path, far_ref: str = "XFD1048576") -> Path:
    """Copy a real xlsx and add one cell at `far_ref`: a few bytes that would make a reader
    allocate the whole 17-billion-cell sheet."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                row = "".join(ch for ch in far_ref if ch.isdigit())
                extra = f'<row r="{row}"><c r="{far_ref}" t="inlineStr"><is><t>x</t></is></c></row>'
                data = data.replace(b"</sheetData>", extra.encode() + b"</sheetData>")
            dst.writestr(info, data)
    return path


def write_ods_repeat_bomb(path: Path, rows: int = 1_000_000, cols: int = 1_000,
                          trailing_empty_rows: int = 0) -> Path:
    """A tiny .ods whose one row of one number is repeated rows x cols times, optionally
    followed by repeated empty rows as LibreOffice writes them for the rest of the sheet."""
    trailing = (
        f'<table:table-row table:number-rows-repeated="{trailing_empty_rows}">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        if trailing_empty_rows else ""
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="PBGDPL">'
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float"'
        ' office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        f"{trailing}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def encrypted_ooxml_bytes() -> bytes:
    """A real OLE2 compound file holding an "EncryptedPackage" stream, which is how Office
    stores a password-protected .xlsx. Made by renaming the stream of an xlwt workbook."""
    data = bytearray(xls_bytes({"PBGDPL": [["x"]]}))
    old = "Workbook".encode("utf-16-le")
    position = data.find(old + b"\x00\x00")
    assert position > 0, "xlwt layout changed"
    new = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    data[position:position + 64] = new.ljust(64, b"\x00")
    data[position + 64:position + 66] = len(new).to_bytes(2, "little")
    return bytes(data)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pbgdpl_grid(**kwargs: object) -> Grid:
    """A small, valid PBGDPL sheet of Lào Cai's STP; keyword arguments as report_grid."""
    rows = kwargs.pop("rows", [("Huyện A", {"sessions": 3}), ("Tổng cộng", {"sessions": 3})])
    return report_grid("PBGDPL", rows, **kwargs)  # type: ignore[arg-type]


def write_unloadable_files(folder: Path) -> dict[str, Path]:
    """One small file per rejection code of report-format.md (all but `too_large`, which
    depends on the limits in force), each in a cluster unit's name unless the code is about
    the unit. Used by the parser's tests and by the end-to-end load."""
    folder.mkdir(parents=True, exist_ok=True)
    pbgdpl = pbgdpl_grid

    def xlsx(name: str, sheets: Mapping[str, Grid | list[list[Cell]]]) -> Path:
        return write_xlsx(folder / name, sheets)

    def raw(name: str, data: bytes) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    ok = [("Tổng cộng", {"sessions": 1})]
    csv_row = ("STP-10", 2022, "PBGDPL", "", "sessions", "1")
    return {
        "unreadable": raw("unreadable.xlsx", b"PK\x03\x04broken"),
        "no_forms": xlsx("no_forms.xlsx", {"Sheet1": [["x"]]}),
        "unknown_form": xlsx("unknown_form.xlsx", {"Biểu 9": pbgdpl()}),
        "unknown_column": xlsx("unknown_column.xlsx", {"PBGDPL": pbgdpl(columns=[2, 7])}),
        "unit_missing": xlsx("unit_missing.xlsx", {"PBGDPL": pbgdpl(unit_name=None)}),
        "unit_unknown": xlsx("unit_unknown.xlsx", {"PBGDPL": pbgdpl(unit_name="Sở X")}),
        "unit_mismatch": xlsx("unit_mismatch.xlsx", {"PBGDPL": pbgdpl(unit_code="STP-04")}),
        "unit_out_of_scope": xlsx("unit_out_of_scope.xlsx",
                                  {"PBGDPL": pbgdpl(unit_name="STP Hà Nội")}),
        "form_not_for_unit": write_csv(folder / "form_not_for_unit.csv",
                                       [("THADS-04", *csv_row[1:])]),
        "year_missing": xlsx("year_missing.xlsx", {"PBGDPL": pbgdpl(year=None)}),
        "year_invalid": xlsx("year_invalid.xlsx", {"PBGDPL": pbgdpl(year="x")}),
        "not_a_number": xlsx("not_a_number.xlsx",
                             {"PBGDPL": pbgdpl(rows=[("Tổng", {"sessions": "?"})])}),
        "negative": xlsx("negative.xlsx", {"PBGDPL": pbgdpl(rows=[("Tổng", {"sessions": -1})])}),
        "fractional": xlsx("fractional.xlsx",
                           {"PBGDPL": pbgdpl(rows=[("Tổng", {"sessions": 0.5})])}),
        "duplicate_indicator": write_csv(folder / "duplicate_indicator.csv", [csv_row, csv_row]),
        "bad_date": xlsx("bad_date.xlsx", {"PBGDPL": pbgdpl(rows=ok, report_date="x")}),
        "missing_header": write_csv(folder / "missing_header.csv", [csv_row], header=None),
    }


# ---------------------------------------------------------------------------------------------
# Targets decisions (report-format.md, "Targets")

TargetLine = tuple[Cell, Cell, Cell, Cell]  # (1) unit, (2) indicator, (3) comparator, (4) value


def targets_grid(
    rows: Sequence[TargetLine],
    *,
    year: Cell = 2022,
    decision_number: Cell = "123/QĐ-TCTHADS",
    decision_date: Cell = "15/01/2022",
    issuer: Cell = "Tổng cục Thi hành án dân sự",
    title: bool = True,
    footer: bool = True,
    labels: Sequence[str] = ("Mã đơn vị", "Chỉ tiêu", "So sánh", "Giá trị (%)"),
) -> Grid:
    """A CHITIEU sheet: a title, the decision's metadata lines (None leaves a line out), the
    column labels and numbers (1)-(4), one row per target, and a "Nơi nhận" footer."""
    grid = Grid([])
    if title:
        grid.cells.append(["QUYẾT ĐỊNH GIAO CHỈ TIÊU THI HÀNH ÁN DÂN SỰ"])
        grid.merges.append((0, 0, 0, 3))
        grid.cells.append([])
    for label, value in (("Cơ quan giao:", issuer), ("Số quyết định:", decision_number),
                         ("Ngày quyết định:", decision_date), ("Năm:", year)):
        if value is not None:
            grid.cells.append([label, None, value])
    grid.cells.append([])
    grid.cells.append(list(labels))
    grid.cells.append(["(1)", "(2)", "(3)", "(4)"])
    grid.cells += [list(row) for row in rows]
    if footer:
        grid.cells.append([])
        grid.cells.append(["Nơi nhận:", None, "KT. TỔNG CỤC TRƯỞNG"])
    return grid


TARGETS_CSV_HEADER = ("decision_number", "decision_date", "issuer", "year", "unit", "indicator",
                      "comparator", "value")


def targets_csv_lines(rows: Sequence[TargetLine], *, year: Cell = 2022,
                      decision_number: Cell = "123/QĐ-TCTHADS", decision_date: Cell = "15/01/2022",
                      issuer: Cell = "Tổng cục Thi hành án dân sự") -> list[tuple[Cell, ...]]:
    """The lines of a targets CSV for one decision (write them with write_csv and
    header=TARGETS_CSV_HEADER)."""
    return [(decision_number, decision_date, issuer, year, *row) for row in rows]

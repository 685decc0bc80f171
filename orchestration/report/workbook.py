"""The report's tables as one workbook beside it, for those who compute with the figures.

One sheet per table of the report, in the exporter's formats (orchestration/export: numbers as
numbers, rates unrounded with two decimals shown, text as inert text), the total row last, and a
column naming the figures of each row that carry † in the report; then a sheet saying what the
workbook is. Linked from the HTML page and named in the PDF.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from orchestration.export.files import SheetTable, write_tables_xlsx
from orchestration.report.document import Document
from orchestration.report.flags import DAGGER

MARKED = "Số liệu đánh dấu †"


def sheet_tables(document: Document) -> list[SheetTable]:
    out = []
    for number, table in enumerate(document.tables, start=1):
        rows = []
        for texts, values in zip((*table.rows, table.total), (*table.values, table.total_values),
                                 strict=True):
            marked = [h for h, t in zip(table.header[1:], texts[1:], strict=True)
                      if t.endswith(DAGGER)]
            name = str(values[1]).rstrip(DAGGER)
            rows.append((values[0], name, *values[2:], "; ".join(marked) or None))
        out.append(SheetTable(name=f"Bảng {number}", title=table.title, unit=table.unit,
                              header=(*table.header, MARKED), rows=rows, notes=table.notes))
    return out


def write_workbook(document: Document, path: Path, *, created: datetime | None) -> None:
    info = [
        ("Báo cáo", f"{document.title} — {document.subtitle}"),
        ("Tình trạng số liệu", document.status),
        ("Nội dung", "Các bảng số liệu theo tỉnh của báo cáo, mỗi bảng một trang; dòng cuối là "
                     "dòng tổng. Tỷ lệ là phần trăm (0–100), không làm tròn; mức thay đổi của "
                     "số đếm tính bằng phần trăm, của tỷ lệ bằng điểm phần trăm; ô trống là "
                     "không có số liệu."),
        ("Dấu †", f"Cột “{MARKED}” nêu các số liệu của dòng dựa trên số liệu có lỗi chưa được "
                  "xử lý (xem mục Chất lượng số liệu của báo cáo)."),
    ]
    if document.banner:
        info.append(("Lưu ý", document.banner))
    write_tables_xlsx(path, sheet_tables(document), info,
                      title=f"{document.title} — {document.subtitle}", created=created)

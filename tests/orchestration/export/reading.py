"""Reading an export back and comparing it with the warehouse, cell by cell."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from ingest.safe_text import neutralise_cell
from orchestration.export.files import DATA_SHEET
from orchestration.export.tables import build_query, public_table


def warehouse_rows(con: Any, table: str) -> tuple[list[str], list[tuple]]:
    """The table as the warehouse holds it, in the export's order."""
    query = build_query(public_table(table))
    result = con.execute(query.sql.format(p="?"), query.params)
    return [d[0] for d in result.description], result.fetchall()


def as_in_xlsx(value: Any) -> Any:
    """What an xlsx cell can hold of a warehouse value: 16 significant digits of a double
    (xlsxwriter and openpyxl write "%.16g"), times without zone, dates as date-times."""
    if isinstance(value, float):
        return float(f"{value:.16g}")
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, list):
        return " | ".join(value)
    return value


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_text(value: Any) -> Any:
    """Text as Excel and calamine read it: OOXML escapes control characters as "_x000D_";
    openpyxl leaves the escape in."""
    if isinstance(value, str):
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def read_xlsx(path: Path) -> tuple[list[str], list[tuple]]:
    sheet = openpyxl.load_workbook(path)[DATA_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [tuple(ooxml_text(v) for v in r) for r in rows[1:]]


def assert_no_formula(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    assert raw.count(b"\r\n") >= raw.count(b"\n") - raw.count(b'\n"')  # CRLF records
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def csv_value(text: str, like: Any) -> Any:
    if text == "":
        return None
    if isinstance(like, bool):
        return text == "true"
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, datetime):
        return datetime.fromisoformat(text)
    if isinstance(like, date):
        return date.fromisoformat(text)
    return text


def expected_csv_text(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_cell(value)
    if isinstance(value, list):
        return neutralise_cell(" | ".join(value))
    return value


def assert_xlsx_matches(path: Path, con: Any, table: str) -> None:
    columns, rows = warehouse_rows(con, table)
    header, read = read_xlsx(path)
    assert header == columns
    assert len(read) == len(rows)
    for row, cells in zip(rows, read, strict=True):
        for value, cell in zip(row, cells, strict=True):
            expected = as_in_xlsx(value)
            if isinstance(expected, datetime) and isinstance(cell, datetime):
                # A spreadsheet keeps times to the millisecond (openpyxl rounds to it).
                assert abs(cell - expected) <= timedelta(milliseconds=1), (cell, expected)
            else:
                assert cell == expected, (cell, value)
    assert_no_formula(path)


def assert_csv_matches(path: Path, con: Any, table: str) -> None:
    columns, rows = warehouse_rows(con, table)
    header, read = read_csv(path)
    assert header == columns
    assert len(read) == len(rows)
    for row, fields in zip(rows, read, strict=True):
        for value, text in zip(row, fields, strict=True):
            if isinstance(value, (str, list)):
                assert text == expected_csv_text(value)
            else:  # numbers exact: the shortest text that reads back as the same double
                assert csv_value(text, value) == value, (text, value)

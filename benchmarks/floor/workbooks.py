"""The floor's workbook reader: python-calamine, the report layout and nothing else.

Metadata lines, the column-number row "(1)", "(2)" …, then data rows until a blank row or the
signature footer; unit names resolved with the register once per name and year. Figures go
into column-wise buffers that become one Arrow table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineWorkbook

from ingest.forms import FORM_COLUMNS
from ingest.reference import Registry
from ingest.text import normalise_key

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})

_META_LABELS = {"don vi bao cao": "name", "ma don vi": "code", "nam bao cao": "year",
                "ngay lap bao cao": "date"}
_TOTAL_LABELS = frozenset({"tong cong", "tong so", "tong"})
_COLUMN_NUMBER = re.compile(r"\(\s*(\d{1,2})\s*\)")
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


class Columns:
    """Column-wise buffers for the workbook figures (cheaper than a list of tuples)."""

    names = ("file_id", "unit_code", "year", "form", "report_date", "is_total", "indicator",
             "value_num", "value_text")

    def __init__(self) -> None:
        self.data: dict[str, list[object]] = {name: [] for name in self.names}

    def add(self, *row: object) -> None:
        for name, value in zip(self.names, row, strict=True):
            self.data[name].append(value)

    def table(self) -> pa.Table:
        types = {"file_id": pa.int32(), "unit_code": pa.string(), "year": pa.int32(),
                 "form": pa.string(), "report_date": pa.date32(), "is_total": pa.bool_(),
                 "indicator": pa.string(), "value_num": pa.float64(),
                 "value_text": pa.string()}
        return pa.table({name: pa.array(self.data[name], type=types[name])
                         for name in self.names})

    def __len__(self) -> int:
        return len(self.data["file_id"])


class UnitResolver:
    """Unit name -> unit code for a year, each distinct (name, year) resolved once."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.cache: dict[tuple[str, int], str] = {}

    def code(self, name: str, year: int) -> str:
        key = (name, year)
        if key not in self.cache:
            unit = self.registry.resolve_name(name, year)
            if unit is None:
                raise ValueError(f"unit name {name!r} does not resolve for {year}")
            self.cache[key] = unit.unit_code
        return self.cache[key]


def _form_of_sheet(sheet_name: str) -> str | None:
    key = normalise_key(sheet_name)
    if key.startswith("bieu "):
        key = key[5:]
    form = key.upper().replace(" ", "_")
    return form if form in FORM_COLUMNS else None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _year_of(raw: object) -> int:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return int(raw)
    found = _YEAR.search(str(raw))
    if found is None:
        raise ValueError(f"no year in {raw!r}")
    return int(found.group(1))


def _date_of(raw: object) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    found = _DMY.search(str(raw))
    if found is None:
        return None
    return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))


@dataclass(frozen=True)
class _SheetHeader:
    """What stands above a sheet's figures: its unit, year and date, and where the columns are."""

    code: str
    year: int
    report_date: date | None
    header_at: int  # index of the column-number row
    name_col: int  # column (1): the sub-unit names
    indicator_cols: list[tuple[int, str]]


def _sheet_header(rows: list[list[object]], form: str, file_id: int,
                  resolver: UnitResolver) -> _SheetHeader:
    meta: dict[str, object] = {}
    header_at = -1
    for index, row in enumerate(rows):
        filled = [i for i, v in enumerate(row) if not _blank(v)]
        if not filled:
            continue
        first = row[filled[0]]
        if isinstance(first, str) and _COLUMN_NUMBER.fullmatch(first.strip()):
            header_at = index
            break
        if isinstance(first, str) and len(filled) > 1:
            label = _META_LABELS.get(normalise_key(first))
            if label is not None and label not in meta:
                meta[label] = row[filled[1]]
    if header_at < 0:
        raise ValueError(f"sheet {form} of file {file_id} has no column-number row")
    year = _year_of(meta["year"])
    code = str(meta["code"]).strip() if "code" in meta else resolver.code(
        " ".join(str(meta["name"]).split()), year)
    report_date = _date_of(meta["date"]) if "date" in meta else None
    name_col, indicator_cols = _numbered_columns(rows[header_at], form, file_id)
    return _SheetHeader(code, year, report_date, header_at, name_col, indicator_cols)


def _numbered_columns(header: list[object], form: str,
                      file_id: int) -> tuple[int, list[tuple[int, str]]]:
    """(column of the names, [(column, indicator)]) from the row of column numbers."""
    columns = FORM_COLUMNS[form]
    name_col = -1
    indicator_cols: list[tuple[int, str]] = []
    for col, cell in enumerate(header):
        found = _COLUMN_NUMBER.fullmatch(str(cell).strip()) if isinstance(cell, str) else None
        if found is None:
            continue
        number = int(found.group(1))
        if number == 1:
            name_col = col
        elif number in columns:
            indicator_cols.append((col, columns[number]))
    if name_col < 0:
        raise ValueError(f"sheet {form} of file {file_id} has no column (1)")
    return name_col, indicator_cols


def _read_sheet(rows: list[list[object]], form: str, file_id: int, resolver: UnitResolver,
                out: Columns) -> None:
    """Metadata lines, the column-number row, then data rows until a blank row or a footer."""
    head = _sheet_header(rows, form, file_id, resolver)
    for row in rows[head.header_at + 1:]:
        if all(_blank(v) for v in row):
            break
        label = row[head.name_col] if head.name_col < len(row) else None
        label_key = normalise_key(label) if isinstance(label, str) else ""
        if label_key.startswith("nguoi lap bieu"):
            break
        is_total = label_key in _TOTAL_LABELS
        for col, indicator in head.indicator_cols:
            value = row[col] if col < len(row) else None
            if _blank(value):
                continue  # an empty cell is "not reported", not zero
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.add(file_id, head.code, head.year, form, head.report_date, is_total,
                        indicator, float(value), None)
            else:
                out.add(file_id, head.code, head.year, form, head.report_date, is_total,
                        indicator, None, str(value))


def read_workbook(path: Path, file_id: int, resolver: UnitResolver, out: Columns) -> None:
    workbook = CalamineWorkbook.from_path(str(path))
    for sheet_name in workbook.sheet_names:
        form = _form_of_sheet(sheet_name)
        if form is None:
            continue  # instructions, notes
        rows = workbook.get_sheet_by_name(sheet_name).to_python()
        _read_sheet(rows, form, file_id, resolver, out)

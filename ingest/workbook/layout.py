"""The layout of report-format.md in a sheet's grid: which form a sheet is, its metadata lines
and its table.

One sheet per form, metadata lines ("label, then value in the next non-empty cell") above a
table whose column-number row "(1) (2) …" fixes the meaning of each column; data rows follow
until a blank row or a footer. This module finds those parts and returns raw cells with their
A1 addresses; checking the values and the unit is ingest.parse's job, so the same checks serve
the CSV reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ingest.forms import FORM_COLUMNS, TARGETS_SHEET
from ingest.text import Problem, is_blank, normalise_key
from ingest.workbook.cells import SheetGrid, column_letters, sheet_where

_FORM_KEYS = {normalise_key(form): form for form in FORM_COLUMNS}
_SHEET_PREFIX_WORDS = frozenset({"bieu", "mau", "so"})
_TARGETS_KEYS = frozenset({normalise_key(TARGETS_SHEET), "chi tieu"})


def _sheet_key(name: str) -> str:
    """A sheet name without its leading words "Biểu", "Mẫu", "số" and form numbers."""
    tokens = normalise_key(name).split()
    while tokens and (tokens[0] in _SHEET_PREFIX_WORDS or tokens[0].isdigit()):
        tokens.pop(0)
    return " ".join(tokens)


def form_for_sheet_name(name: str) -> str | None:
    """The form code a sheet name denotes ("PBGDPL", " thads_viec ", "Biểu số 01 HOAGIAI"), or
    None. Leading words "Biểu", "Mẫu", "số" and form numbers are tolerated."""
    return _FORM_KEYS.get(_sheet_key(name))


def is_targets_sheet(name: str) -> bool:
    """Whether a sheet is a targets decision's table: "CHITIEU" (any case, "Biểu CHITIEU",
    "Chỉ tiêu")."""
    return _sheet_key(name) in _TARGETS_KEYS


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


def find_column_row(rows: Sequence[Sequence[object]]) -> tuple[int, list[tuple[int, int]]] | None:
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
    # Column number -> its letters on the sheet, to name a cell left empty ("D9")
    column_letters: dict[int, str] = field(default_factory=dict)

    @property
    def has_values(self) -> bool:
        return any(row.values for row in self.rows)


def _first_value_after(row: Sequence[object], j: int) -> int | None:
    for k in range(j + 1, len(row)):
        if not is_blank(row[k]):
            return k
    return None


def read_metadata(grid: SheetGrid, upto: int,
                  labels: Mapping[str, str] = META_LABELS) -> dict[str, MetaField]:
    """Metadata lines in rows [0, upto): "label" then its value in the next non-empty cell of
    the row, or "label: value" in one cell. The first occurrence of each label wins. `labels`
    maps a label's key (normalise_key) to the field it names: a report's by default."""
    meta: dict[str, MetaField] = {}
    for i in range(min(upto, len(grid.rows))):
        row = grid.rows[i]
        j = 0
        while j < len(row):
            cell = row[j]
            if isinstance(cell, str) and cell.strip():  # a text cell, not blank
                name = labels.get(normalise_key(cell))
                if name is not None:
                    k = _first_value_after(row, j)
                    if k is not None and labels.get(normalise_key(row[k])) is None:
                        meta.setdefault(name, MetaField(row[k], grid.ref(i, k)))
                        j = k + 1
                        continue
                elif ":" in cell:
                    left, _, right = cell.partition(":")
                    name = labels.get(normalise_key(left))
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


def _filled(row: Sequence[object]) -> list[object]:
    """The cells of a row that are not blank (is_blank, inlined: this runs for every cell)."""
    return [c for c in row if c is not None and not (isinstance(c, str) and not c.strip())]


def _is_footer(row: Sequence[object], texts: list[object], name_col: int) -> bool:
    """Whether a data row is the footer under the table; `texts` are its non-blank cells."""
    first = texts[0]
    if isinstance(first, str) and normalise_key(first).startswith(_FOOTER_PREFIXES):
        return True
    # "Lào Cai, ngày 15 tháng 11 năm 2022" under the table, outside column (1).
    name_blank = name_col >= len(row) or is_blank(row[name_col])
    return name_blank and all(isinstance(c, str) for c in texts) and any(
        _PLACE_DATE.search(normalise_key(c)) for c in texts)


def read_table(grid: SheetGrid, form: str, *, columns: Mapping[int, str] | None = None,
               labels: Mapping[str, str] = META_LABELS,
               keep_rows_without_values: bool = False) -> SheetTable:
    """Locate the form's table in a sheet and return its metadata and raw data rows.

    `columns` (a report form's by default) and `labels` (the metadata lines') describe the
    table; a targets decision has its own. Rows with no value cells (section headings) are
    dropped unless `keep_rows_without_values`.

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
    columns = columns if columns is not None else FORM_COLUMNS[form]
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
    meta = read_metadata(grid, _header_top(grid, header_i, [j for j, _ in numbered]), labels)
    rows = tuple(row for row in _data_rows(grid, header_i, name_col, value_cols)
                 if row.values or keep_rows_without_values)
    letters = {n: column_letters(grid.col0 + j) for j, n in numbered}
    return SheetTable(grid.name, form, meta, rows, where, column_letters=letters)


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

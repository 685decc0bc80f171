"""Cell addresses as an officer sees them, and the grid of cells a sheet is read into.

Every message about a workbook points at a cell ("biểu THADS_VIEC, ô H12") and every stored
value keeps its source address ('Biểu 01'!H12), so the A1 spelling lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.text import echo


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


@dataclass(frozen=True)
class SheetGrid:
    """The used area of one sheet: rows[i][j] is the cell at (row0 + i, col0 + j), 0-based."""

    name: str
    # Read-only to the layout code; Sequence (not list) so a reader's list of typed cells fits.
    rows: Sequence[Sequence[object]]
    row0: int = 0
    col0: int = 0

    def ref(self, i: int, j: int) -> str:
        return cell_ref(self.row0 + i, self.col0 + j)

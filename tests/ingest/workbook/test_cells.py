"""Cell addresses as an officer sees them in a message: A1 references and sheet names."""

from __future__ import annotations

import pytest
from openpyxl.utils import get_column_letter

from ingest.workbook.cells import SheetGrid, cell_ref, column_letters, sheet_ref, sheet_where


@pytest.mark.parametrize("index", [0, 1, 24, 25, 26, 27, 51, 52, 701, 702, 703, 16_383])
def test_column_letters_are_excels(index: int) -> None:
    assert column_letters(index) == get_column_letter(index + 1)  # openpyxl counts from 1


def test_cell_ref_and_the_grid_offset() -> None:
    assert cell_ref(0, 0) == "A1"
    assert cell_ref(11, 7) == "H12"
    # A grid read from a sheet whose used area starts at C5 addresses its cells from there.
    assert SheetGrid("PBGDPL", [[None]], row0=4, col0=2).ref(1, 1) == "D6"


@pytest.mark.parametrize(
    ("name", "ref"),
    [("PBGDPL", "PBGDPL"), ("THADS_VIEC", "THADS_VIEC"), ("Biểu 01", "'Biểu 01'"),
     ("Sheet 1", "'Sheet 1'"), ("Bà's", "'Bà''s'"), ("1a", "'1a'")],
)
def test_sheet_ref_quotes_names_that_need_it(name: str, ref: str) -> None:
    assert sheet_ref(name) == ref


def test_sheet_where_names_the_form_and_its_tab() -> None:
    assert sheet_where("THADS_VIEC", "THADS_VIEC") == "biểu THADS_VIEC"
    assert sheet_where(" thads_viec ", "THADS_VIEC") == "biểu THADS_VIEC"
    assert sheet_where("Biểu 3", "THADS_VIEC") == 'biểu THADS_VIEC (trang tính "Biểu 3")'
    assert sheet_where("Hướng dẫn", None) == 'trang tính "Hướng dẫn"'

"""The issue's acceptance on a warehouse built by a real `tuphap load`: exports of
fct_enforcement and rejected_reports in both formats hold the warehouse's figures, codes as
text, and no cell a spreadsheet would run as a formula, although one rejected file is named like
a formula. Also: a template for a unit of that warehouse, pre-filled from it, loads back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest.parse import parse_file
from ingest.safe_text import formula_like
from ingest.sample import write_sample
from ingest.template import write_template
from ingest.template.layout import plan_sheet
from orchestration.export.exporter import export_table
from orchestration.export.files import DATA_SHEET
from orchestration.export.subunits import fetch_subunit_names
from tests.e2e.conftest import isolated_env, tuphap
from tests.ingest.template.filling import Typed, figures_read, fill
from tests.orchestration.export.reading import assert_csv_matches, assert_xlsx_matches, read_csv

# One worker makes the module's real load (pytest -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("export_real_load")]

FORMULA_NAMED = '=HYPERLINK("http:evil.example","Bấm vào đây").xlsx'


@dataclass
class Warehouse:
    path: Path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The cluster's 2025 sample (successor units 08 and 15 included) and a broken file named
    like a formula, loaded by the real command."""
    base = tmp_path_factory.mktemp("export_load")
    env = isolated_env(base)
    write_sample(base / "sample", years=[2025])
    inbox = base / "inbox"
    shutil.copytree(base / "sample", inbox)
    (inbox / FORMULA_NAMED).write_bytes(b"PK\x03\x04 not a workbook")
    done = tuphap(["load", "--inbox", str(inbox)], env, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return Warehouse(base / "warehouse" / "tuphap.duckdb")


@pytest.fixture
def con(loaded: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(loaded.path), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.mark.parametrize("table", ["fct_enforcement", "rejected_reports"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_hold_the_warehouse_figures(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                            table: str, fmt: str) -> None:
    out = tmp_path / f"{table}.{fmt}"
    result = export_table(con, table, fmt=fmt, out_path=out, warehouse_label="demo",
                          load_info="-", column_docs={})
    assert result.row_count == con.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
    assert result.row_count > 0
    if fmt == "xlsx":
        assert_xlsx_matches(out, con, table)
        cells = [c for row in openpyxl.load_workbook(out)[DATA_SHEET].iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
        assert all(c.quotePrefix for c in cells if isinstance(c.value, str)
                   and formula_like(c.value))
        if table == "fct_enforcement":
            codes = {c.value for c in cells if c.column == 1 and c.row > 1}
            assert "08" in codes and all(isinstance(code, str) for code in codes)
    else:
        assert_csv_matches(out, con, table)
        _, rows = read_csv(out)
        assert not [f for row in rows for f in row if formula_like(f)]
    if table == "rejected_reports":
        names = con.execute("select source_file from rejected_reports").fetchall()
        assert (FORMULA_NAMED,) in names


def test_template_prefilled_from_the_warehouse_loads_back(con: duckdb.DuckDBPyConnection,
                                                          tmp_path: Path) -> None:
    names = fetch_subunit_names(con, "THADS-20", 2025)
    assert names["THADS_VIEC"], "the 2025 sample of THADS-20 has sub-units"
    template = write_template("THADS-20", 2025, tmp_path / "t.xlsx", subunit_names=names)
    plans = [plan_sheet(form, names[form]) for form in ("THADS_VIEC", "THADS_TIEN")]
    typed = {plan.form: Typed(figures={(plan.subunit_rows.start, "new"): 12.0,
                                       (plan.total_row, "new"): 12.0}) for plan in plans}
    filled = fill(template, tmp_path / "filled.xlsx", plans, typed, report_date=date(2025, 10, 3))
    result = parse_file(filled)
    assert result.rejection is None, result.rejection
    first = names["THADS_VIEC"][0]
    assert figures_read(result)["THADS_VIEC"] == {(first, "new"): 12.0, (None, "new"): 12.0}

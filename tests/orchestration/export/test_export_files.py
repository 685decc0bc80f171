"""Exports round-trip the warehouse's figures, keep codes as text and never hold a formula."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from ingest.safe_text import formula_like
from orchestration.export.exporter import export_table
from orchestration.export.files import DATA_SHEET, INFO_SHEET
from orchestration.export.tables import ExportError
from tests.orchestration.export.conftest import HOSTILE_FILE, HOSTILE_TEXTS
from tests.orchestration.export.reading import (
    assert_csv_matches,
    assert_no_formula,
    assert_xlsx_matches,
    ooxml_text,
    read_csv,
    read_xlsx,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _export(con: duckdb.DuckDBPyConnection, table: str, out: Path, fmt: str,
            **filters: Any) -> Path:
    export_table(con, table, fmt=fmt, out_path=out, warehouse_label="/kho/tuphap.duckdb",
                 load_info="dựng lúc 01/01/2026 00:00 UTC", now=NOW,
                 column_docs={"province_code": "Mã tỉnh — GSO code", "year": "Năm báo cáo"},
                 table_doc="Thi hành án dân sự", **filters)
    return out


@pytest.mark.parametrize("table", ["fct_enforcement", "rejected_reports", "dim_unit",
                                   "rpt_cluster_year"])
def test_xlsx_round_trips_the_table(reader: duckdb.DuckDBPyConnection, tmp_path: Path,
                                    table: str) -> None:
    path = _export(reader, table, tmp_path / f"{table}.xlsx", "xlsx")
    assert_xlsx_matches(path, reader, table)


def test_xlsx_counts_exact_codes_text_and_formats(reader: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    path = _export(reader, "fct_enforcement", tmp_path / "e.xlsx", "xlsx")
    sheet = openpyxl.load_workbook(path)[DATA_SHEET]
    header = [c.value for c in sheet[1]]
    cells = {(r[0].value, header[i]): c for r in sheet.iter_rows(min_row=2)
             for i, c in enumerate(r)}
    code = cells[("08", "province_code")]
    assert code.value == "08" and code.data_type == "s"
    assert cells[("08", "money_resolved")].value == 1_826_513_000_123  # exact, not 1.8e12
    assert cells[("08", "money_resolved")].number_format == "#,##0"
    assert cells[("08", "year")].number_format == "0"  # 2025, never "2.025"
    assert cells[("08", "case_resolution_rate")].number_format == "#,##0.00"
    assert cells[("08", "case_resolution_rate")].value == 89.67763266656067  # unrounded
    assert cells[("15", "cases_accepted")].value is None  # not reported stays empty
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}5"
    assert sheet.column_dimensions["A"].width >= len("province_code")


def test_formula_like_text_is_inert_in_xlsx(reader: duckdb.DuckDBPyConnection,
                                            tmp_path: Path) -> None:
    path = _export(reader, "rejected_reports", tmp_path / "r.xlsx", "xlsx")
    sheet = openpyxl.load_workbook(path)[DATA_SHEET]
    texts = {ooxml_text(c.value): c for row in sheet.iter_rows(min_row=2) for c in row
             if isinstance(c.value, str)}
    for text in (HOSTILE_FILE, "+cmd|' /C calc'!A0.csv", "\tTab", "\rCR"):
        cell = texts[text]  # the exact text, no apostrophe added to the data
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert not texts["ok.xlsx"].quotePrefix
    assert_no_formula(path)


@pytest.mark.parametrize("table", ["fct_enforcement", "rejected_reports", "dim_unit",
                                   "rpt_cluster_year"])
def test_csv_round_trips_the_table_exactly(reader: duckdb.DuckDBPyConnection, tmp_path: Path,
                                           table: str) -> None:
    path = _export(reader, table, tmp_path / f"{table}.csv", "csv")
    assert_csv_matches(path, reader, table)


def test_formula_like_text_is_inert_in_csv(reader: duckdb.DuckDBPyConnection,
                                           tmp_path: Path) -> None:
    path = _export(reader, "rejected_reports", tmp_path / "r.csv", "csv")
    _, rows = read_csv(path)
    fields = [f for row in rows for f in row]
    assert not [f for f in fields if formula_like(f)]
    assert "'" + HOSTILE_FILE in fields and "'\tTab" in fields
    _, enforcement = read_csv(_export(reader, "fct_enforcement", tmp_path / "e.csv", "csv"))
    assert [row[:3] for row in enforcement][:2] == [["02", "2024", "THADS-02"],
                                                    ["08", "2025", "THADS-08"]]
    assert all(not formula_like(f) for row in enforcement for f in row)
    assert {t for t in HOSTILE_TEXTS if formula_like(t)}  # the fixture holds hostile text


def test_filters_are_bound_and_checked(reader: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    def rows(table: str, **filters: Any) -> list[tuple]:
        return read_xlsx(_export(reader, table, tmp_path / "f.xlsx", "xlsx", **filters))[1]

    assert [r[:2] for r in rows("fct_enforcement", year=2025)] == [("08", 2025), ("15", 2025)]
    assert [r[:2] for r in rows("fct_enforcement", province="8")] == [("08", 2025)]
    assert [r[0] for r in rows("rejected_reports", province="08")] == [HOSTILE_FILE]
    assert [r[1] for r in rows("rejected_reports", province="15")] == ["c" * 64]
    assert [r[0] for r in rows("dim_unit", year=2024)] == ["STP-08:", "THADS-15:"]
    assert [r[0] for r in rows("dim_unit", year=2025, province="15")] == [
        "THADS-15:", "THADS-15:2025-07-01"]
    for table, filters, says in (
            ("rpt_cluster_year", {"province": "08"}, "not broken down by province"),
            ("fct_enforcement; drop table x", {}, "unknown table"),
            ("raw.submissions", {}, "unknown table"),
            ("fct_enforcement", {"province": "08' or '1'='1"}, "not a GSO code"),
            ("fct_enforcement", {"fmt": "pdf"}, "unknown format")):
        fmt = filters.pop("fmt", "xlsx")
        with pytest.raises(ExportError, match=says):
            _export(reader, table, tmp_path / "x.xlsx", fmt, **filters)
    assert not (tmp_path / "x.xlsx").exists()


def test_information_sheet(reader: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _export(reader, "fct_enforcement", tmp_path / "e.xlsx", "xlsx", year=2025,
                   province="15")
    sheet = openpyxl.load_workbook(path)[INFO_SHEET]
    lines = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r[0]}
    assert lines["Bảng"] == "fct_enforcement"
    assert lines["Mô tả"] == "Thi hành án dân sự"
    assert lines["Bộ lọc"] == "năm 2025; tỉnh mã 15"
    assert lines["Số dòng"] == "1"
    assert lines["Kho dữ liệu"] == "/kho/tuphap.duckdb"
    assert lines["Lần nạp"] == "dựng lúc 01/01/2026 00:00 UTC"
    assert lines["Thời điểm xuất"] == "02/01/2026 03:04:05 (UTC)"
    described = {r[0]: (r[1], r[2]) for r in sheet.iter_rows(values_only=True)}
    assert described["province_code"] == ("văn bản", "Mã tỉnh — GSO code")
    assert described["year"] == ("số nguyên", "Năm báo cáo")
    assert described["case_resolution_rate"][0] == "số thập phân"


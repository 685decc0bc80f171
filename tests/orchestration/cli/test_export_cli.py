"""`tuphap export` and `tuphap template` through their argument parsers, on real DuckDB files;
the column descriptions from the dbt docs; what an export says about the load."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest.template.layout import META_ROWS, META_VALUE_COL, NAME_COL, plan_sheet
from orchestration import settings
from orchestration.cli import main
from orchestration.export.docs import TableDocs, manifest_candidates, table_docs
from orchestration.export.exporter import describe_load
from orchestration.export.files import INFO_SHEET
from orchestration.ingest.raw_schema import RAW_DDL
from orchestration.warehouse.sql import render


def _run(argv: list[str]) -> int:
    return main(argv)


def test_export_command_writes_both_formats(warehouse: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run(["export", "fct_enforcement", "--warehouse", str(warehouse), "--year", "2025",
                 "--province", "8"]) == 0
    book = openpyxl.load_workbook(tmp_path / "fct_enforcement_2025_08.xlsx")
    assert book.sheetnames[1] == INFO_SHEET
    info = {r[0]: r[1] for r in book[INFO_SHEET].iter_rows(values_only=True) if r[0]}
    assert info["Kho dữ liệu"] == str(warehouse.resolve())
    assert "Mã tỉnh" in next(r[2] for r in book[INFO_SHEET].iter_rows(values_only=True)
                             if r[0] == "province_code")  # from the project's dbt docs
    assert _run(["export", "rejected_reports", "--warehouse", str(warehouse), "--out",
                 str(tmp_path / "out" / "r.csv")]) == 0
    assert (tmp_path / "out" / "r.csv").read_bytes().startswith(b"\xef\xbb\xbfsource_file,")
    assert "wrote 3 rows of rejected_reports" in capsys.readouterr().out


def test_export_command_fails_with_a_message(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             warehouse: Path) -> None:
    assert _run(["export", "dim_unit", "--warehouse", str(tmp_path / "none.duckdb")]) == 1
    assert "no warehouse at" in capsys.readouterr().err
    assert _run(["export", "rpt_cluster_year", "--province", "08", "--warehouse",
                 str(warehouse)]) == 1
    assert "not broken down by province" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(["export", "raw.submissions", "--warehouse", str(warehouse)])


def _raw_warehouse(path: Path) -> Path:
    """A warehouse whose raw layer holds one accepted THADS-20 report with two sub-units."""
    con = duckdb.connect(str(path))
    try:
        for statement in RAW_DDL:
            con.execute(render(statement))
        t = datetime(2025, 1, 1, tzinfo=UTC)
        for form in ("THADS_VIEC", "THADS_TIEN"):
            sid = f"s:THADS-20:2024:{form}"
            con.execute("insert into raw.submissions values (?, 's', 'f.xlsx', 'THADS-20', '20', "
                        "2024, ?, ?, null, ?, ?, null, ?)", [sid, form, date(2024, 10, 2), form,
                                                             t, t])
            for order, name in enumerate(("Chi cục Tràng Định", "+Chi cục Văn Lãng"), start=1):
                con.execute("insert into raw.submission_values values (?, ?, ?, 'new', 1, 0, "
                            "'C1')", [sid, name, order])
        con.execute("insert into raw.received_files (sha256, source_file, archive_path, "
                    "size_bytes, received_at, file_kind, status, parsed_scope) values "
                    "('s', 'f.xlsx', 'a', 1, ?, 'xlsx', 'accepted', 'cluster')", [t])
    finally:
        con.close()
    return path


def test_template_command_prefills_sub_units(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = _raw_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "t.xlsx"
    assert _run(["template", "--unit", "thads 20", "--year", "2024", "--warehouse",
                 str(warehouse), "--out", str(out)]) == 0
    assert "THADS_VIEC: 2, THADS_TIEN: 2" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out)["THADS_TIEN"]
    rows = plan_sheet("THADS_TIEN", ["x", "y"]).subunit_rows
    names = [sheet.cell(r + 1, NAME_COL + 1) for r in rows[:3]]
    assert [c.value for c in names] == ["Chi cục Tràng Định", "+Chi cục Văn Lãng", None]
    assert names[1].quotePrefix  # formula-like text from outside stays text
    assert sheet.cell(META_ROWS["unit_code"] + 1, META_VALUE_COL + 1).value == "THADS-20"


def test_template_command_refuses_a_unit_merged_away(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["template", "--unit", "STP-02", "--year", "2025", "--warehouse",
                 str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "t.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "STP-08" in err and "không còn hiệu lực năm 2025" in err
    assert not (tmp_path / "t.xlsx").exists()


def test_template_command_without_a_warehouse(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUPHAP_WAREHOUSE", str(tmp_path / "none.duckdb"))
    assert _run(["template", "--unit", "STP-14", "--year", "2025"]) == 0
    assert (tmp_path / "bieu_mau_STP-14_2025.xlsx").exists()


def test_column_docs_from_the_dbt_yml_without_a_manifest() -> None:
    docs = table_docs("fct_enforcement", settings.DBT_PROJECT_DIR, manifests=())
    assert "enforcement" in docs.description
    assert docs.columns["province_code"].startswith("Mã tỉnh")
    assert "{{" not in " ".join(docs.columns.values())
    assert table_docs("dq_issues", settings.DBT_PROJECT_DIR, manifests=()) == TableDocs()


def test_column_docs_prefer_the_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / ".build" / "dbt-target" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"nodes": {"model.tuphap.dim_unit": {
        "resource_type": "model", "name": "dim_unit", "description": "Đơn vị  báo cáo",
        "columns": {"unit_code": {"description": "Mã đơn vị"}}}}}), encoding="utf-8")
    candidates = manifest_candidates(settings.DBT_PROJECT_DIR, tmp_path / "tuphap.duckdb")
    assert candidates[0] == manifest
    assert table_docs("dim_unit", settings.DBT_PROJECT_DIR, candidates) == TableDocs(
        "Đơn vị báo cáo", {"unit_code": "Mã đơn vị"})


def test_describe_load(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert describe_load(con) == "không rõ (kho không ghi lại lần nạp)"
    path = _raw_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("create schema meta")
        con.execute("create table meta.dbt_build_state (inputs varchar, plan varchar, "
                    "reason varchar, built_at timestamptz)")
        con.execute("insert into meta.dbt_build_state values ('{}', 'full', 'first', ?)",
                    [datetime(2025, 3, 4, 5, 6, tzinfo=UTC)])
        assert describe_load(con) == ("dựng lúc 04/03/2025 05:06 UTC (kế hoạch dbt: full); 1 tệp "
                                      "đã nhận, tệp mới nhất nhận lúc 01/01/2025 00:00 UTC")

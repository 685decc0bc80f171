"""File kind from content, and the extension must agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.filekind import detect_kind, sniff
from ingest.text import Problem
from tests.ingest.builders import (
    MINIMAL_PDF,
    encrypted_ooxml_bytes,
    report_grid,
    write_ods,
    write_xls,
    write_xlsx,
)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    base = tmp_path_factory.mktemp("kinds")
    grid = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 1})])
    return {
        "xlsx": write_xlsx(base / "a.xlsx", {"PBGDPL": grid}).read_bytes(),
        "ods": write_ods(base / "a.ods", {"PBGDPL": grid}).read_bytes(),
        "xls": write_xls(base / "a.xls", {"PBGDPL": grid}).read_bytes(),
        "csv": b"unit_code,year,form,subunit,indicator,value\r\n",
    }


def test_sniffs_supported_kinds(samples: dict[str, bytes]) -> None:
    for kind, data in samples.items():
        assert sniff(data) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (MINIMAL_PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "html"),
        (b"<?xml version='1.0'?><Workbook/>", "xml"),
        (b"\x00\x01\x02\x03binary", "binary"),
        (b"PK\x03\x04truncated", "zip_corrupt"),
    ],
)
def test_sniffs_other_content(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_encrypted_xlsx_is_recognised() -> None:
    assert sniff(encrypted_ooxml_bytes()) == "encrypted"


def test_extension_must_match_content(samples: dict[str, bytes]) -> None:
    assert detect_kind(samples["xlsx"], "bao_cao.XLSX") == "xlsx"
    assert detect_kind(samples["xls"], "bao_cao.xls") == "xls"
    assert detect_kind(samples["csv"], "bao_cao.csv") == "csv"
    # A file from the archive under its hash name: content decides.
    assert detect_kind(samples["ods"], "3f7a9c") == "ods"
    with pytest.raises(Problem) as info:
        detect_kind(samples["xlsx"], "bao_cao.xls")
    assert info.value.code == "unreadable"
    assert ".xls" in info.value.what and "Excel (.xlsx)" in info.value.what
    with pytest.raises(Problem) as info:
        detect_kind(samples["csv"], "bao_cao.xlsx")
    assert "CSV" in info.value.what


def test_pdf_is_never_a_report(tmp_path: Path) -> None:
    for name in ("bao_cao.xlsx", "bao_cao.pdf", "noext"):
        with pytest.raises(Problem) as info:
            detect_kind(MINIMAL_PDF, name)
        assert info.value.code == "unreadable" and "PDF" in info.value.what

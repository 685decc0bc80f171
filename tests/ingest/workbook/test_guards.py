"""Hostile and broken containers are refused before they can exhaust memory or time."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.limits import Limits
from ingest.model import ParseResult
from ingest.workbook.guards import scan_xlsx_member
from tests.ingest.builders import (
    MINIMAL_PDF,
    encrypted_ooxml_bytes,
    report_grid,
    write_csv,
    write_ods,
    write_ods_repeat_bomb,
    write_sparse_xlsx,
    write_xls,
    write_xlsx,
    write_zip_bomb_xlsx,
)

Parse = Callable[..., ParseResult]


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory, template_xlsx: Path) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bao_cao.xlsx"
    return write_zip_bomb_xlsx(path, template_xlsx, inflated_bytes=150 * 1024 * 1024)


def test_zip_bomb_is_refused_from_the_central_directory(zip_bomb: Path, parse: Parse) -> None:
    assert zip_bomb.stat().st_size < 1024 * 1024  # 150 MB of zeros deflates to ~150 KB
    start = time.thread_time()  # CPU time: read in this thread, whatever else the machine runs
    result = parse(zip_bomb)
    elapsed = time.thread_time() - start
    assert result.rejection.code == "too_large"
    assert "khi giải nén lên tới 150,0 MB" in result.rejection.message
    assert elapsed < 0.5, elapsed  # nothing was inflated


def test_compression_ratio_limit(zip_bomb: Path, parse: Parse) -> None:
    limits = Limits(max_inflated_bytes=1024 * 1024 * 1024)  # size allowed, ratio still absurd
    result = parse(zip_bomb, limits=limits)
    assert result.rejection.code == "too_large"
    assert "zip bomb" in result.rejection.message


def test_lying_central_directory_fails_its_crc(tmp_path: Path, template_xlsx: Path,
                                               parse: Parse) -> None:
    """A member that declares 1 KB but inflates to 5 MB: reading stops at the declared size
    and the CRC check fails, so the native reader never sees it."""
    bomb = write_zip_bomb_xlsx(tmp_path / "liar.xlsx", template_xlsx,
                               inflated_bytes=5 * 1024 * 1024)
    data = bytearray(bomb.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo(name.decode())
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_len] == name:
            break
        central = data.find(b"PK\x01\x02", central + 4)
    assert central != -1
    struct.pack_into("<I", data, central + 24, 1024)  # uncompressed size
    # With zip64 the real sizes sit in the extra field (tag 1): patch those too.
    extra_len = struct.unpack_from("<H", data, central + 30)[0]
    extra = central + 46 + name_len
    end = extra + extra_len
    while extra + 4 <= end:
        tag, size = struct.unpack_from("<HH", data, extra)
        if tag == 0x0001 and size >= 8:
            struct.pack_into("<Q", data, extra + 4, 1024)
        extra += 4 + size
    liar = tmp_path / "liar2.xlsx"
    liar.write_bytes(bytes(data))
    result = parse(liar)
    assert result.rejection.code == "unreadable", result.rejection


def test_sparse_sheet_is_refused_before_allocation(tmp_path: Path, template_xlsx: Path,
                                                   parse: Parse) -> None:
    path = write_sparse_xlsx(tmp_path / "sparse.xlsx", template_xlsx, "XFD1048576")
    assert path.stat().st_size < 20_000
    result = parse(path)
    assert result.rejection.code == "too_large"
    assert "quá nhiều dòng" in result.rejection.message


def test_ods_repeat_bomb_is_refused(tmp_path: Path, parse: Parse) -> None:
    path = write_ods_repeat_bomb(tmp_path / "bomb.ods", rows=1_000_000, cols=1_000)
    assert path.stat().st_size < 5_000
    start = time.thread_time()  # CPU time of the in-process read (see the zip bomb's test)
    result = parse(path)
    assert result.rejection.code == "too_large"
    assert time.thread_time() - start < 1


def test_ods_repeats_count_towards_the_limits(tmp_path: Path, parse: Parse) -> None:
    path = write_ods_repeat_bomb(tmp_path / "small.ods", rows=3, cols=2)
    assert parse(path, limits=Limits(max_rows=2)).rejection.code == "too_large"
    assert parse(path, limits=Limits(max_rows=3)).rejection.code != "too_large"


def test_ods_trailing_empty_rows_are_not_a_bomb(tmp_path: Path, parse: Parse) -> None:
    """LibreOffice writes the rest of the sheet as one empty row repeated ~a million times."""
    path = write_ods_repeat_bomb(tmp_path / "lo.ods", rows=3, cols=2,
                                 trailing_empty_rows=1_048_573)
    start = time.thread_time()  # CPU time of the in-process read (see the zip bomb's test)
    result = parse(path)
    assert time.thread_time() - start < 1
    # No "(1) (2)" table in this sheet: rejected for its content, not for its size.
    assert result.rejection.code == "unknown_column"


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls", "csv"])
def test_row_limit_applies_to_every_kind(tmp_path: Path, parse: Parse, kind: str) -> None:
    rows = [(f"Xã {i}", {"sessions": i}) for i in range(1, 40)]
    grid = report_grid("PBGDPL", rows)
    if kind == "csv":
        path = write_csv(tmp_path / "r.csv",
                         [("STP-10", 2022, "PBGDPL", f"Xã {i}", "sessions", i) for i in range(40)])
    else:
        writer = {"xlsx": write_xlsx, "ods": write_ods, "xls": write_xls}[kind]
        path = writer(tmp_path / f"r.{kind}", {"PBGDPL": grid})
    assert parse(path).rejection is None
    result = parse(path, limits=Limits(max_rows=20))
    assert result.rejection.code == "too_large"
    result = parse(path, limits=Limits(max_cells=50))
    assert result.rejection.code == "too_large"


def test_truncated_xlsx(tmp_path: Path, template_xlsx: Path, parse: Parse) -> None:
    data = template_xlsx.read_bytes()
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(data[: len(data) // 2])
    result = parse(path)
    assert result.rejection.code == "unreadable"
    assert "bị hỏng hoặc không đầy đủ" in result.rejection.message


def test_corrupted_member_is_unreadable(tmp_path: Path, template_xlsx: Path, parse: Parse) -> None:
    data = bytearray(template_xlsx.read_bytes())
    with zipfile.ZipFile(template_xlsx) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size, 200)):
        data[i] ^= 0x5A
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(bytes(data))
    assert parse(path).rejection.code == "unreadable"


def test_pdf_renamed_xlsx(tmp_path: Path, parse: Parse) -> None:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(MINIMAL_PDF)
    result = parse(path)
    assert result.rejection.code == "unreadable" and result.file_kind == "unknown"
    assert result.rejection.message == (
        'Tệp "bao_cao.xlsx": tệp có đuôi .xlsx nhưng nội dung là tệp PDF, không phải bảng tính '
        "báo cáo; hãy gửi tệp báo cáo theo mẫu (.xlsx, .xls, .ods hoặc .csv).")


def test_csv_renamed_xlsx(tmp_path: Path, parse: Parse) -> None:
    path = write_csv(tmp_path / "bao_cao.xlsx", [("STP-10", 2022, "PBGDPL", "", "sessions", 1)])
    result = parse(path)
    assert result.rejection.code == "unreadable" and result.file_kind == "unknown"
    assert "đuôi .xlsx nhưng nội dung là tệp văn bản (CSV)" in result.rejection.message


def test_encrypted_xlsx(tmp_path: Path, parse: Parse) -> None:
    path = tmp_path / "bao_cao.xlsx"
    path.write_bytes(encrypted_ooxml_bytes())
    result = parse(path)
    assert result.rejection.code == "unreadable"
    assert "mật khẩu" in result.rejection.message


def test_html_disguised_as_xls(tmp_path: Path, parse: Parse) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>",
                    encoding="utf-8")
    result = parse(path)
    assert result.rejection.code == "unreadable" and "HTML" in result.rejection.message


def test_binary_garbage_csv(tmp_path: Path, parse: Parse) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 10)
    assert parse(path).rejection.code == "unreadable"


@pytest.mark.parametrize(("cell", "noted"), [
    (b'<c r="B7"><f>SUM(B2:B6)</f></c>', ["B7"]),  # a script's formula: never evaluated
    (b'<c r="B7"><f>SUM(B2:B6)</f><v></v></c>', ["B7"]),
    (b'<c r="B7" t="str"><f>IF(B2="","",B2)</f><v></v></c>', []),  # its result is ""
    (b'<c t="str" r="B7"><f>IF(B2="","",B2)</f><v/></c>', []),
    (b'<c r="B7"><f>SUM(B2:B6)</f><v>12</v></c>', []),
])
def test_formulas_without_a_cached_value_are_noted_but_empty_text_results_are_not(
        cell: bytes, noted: list[str]) -> None:
    sheet = b'<worksheet><sheetData><row r="7">' + cell + b"</row></sheetData></worksheet>"
    assert scan_xlsx_member(io.BytesIO(sheet))[2] == noted

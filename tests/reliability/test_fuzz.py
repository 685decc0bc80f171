"""Mutated real report files: each is loaded or rejected with a reason, never a crash.

The mutants start from the sample reports (real workbooks written by openpyxl, real CSV
exports in UTF-8 and Windows-1258) and are damaged the ways files get damaged in transit or by
hand: flipped bytes, truncation, zip members reordered or dropped, XML damaged inside a
member that still inflates, random text typed into cells, lines of a CSV deleted, repeated or
garbled. The seed is fixed, so a failure names a mutant that can be rebuilt.

"Never a crash" is checked strictly: parse_file has a last-resort handler that turns an
unexpected exception into a generic "unreadable" rejection; a mutant that reaches it is a
parser bug (the officer gets no useful reason), so it fails this test too.
"""

from __future__ import annotations

import io
import math
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.model import ParseResult
from ingest.parse import parse_file
from ingest.reference import Registry, load_registry
from ingest.sample import SampleManifest
from tests.ingest.builders import Grid, write_ods, write_xls
from tests.reliability.cpu_time import cpu_seconds

SEED = 20240611
MUTANTS_PER_SOURCE = 25
KNOWN_CODES = {
    "bad_date", "duplicate_indicator", "form_not_for_unit", "fractional", "missing_header",
    "negative", "no_forms", "not_a_number", "too_large", "unit_mismatch", "unit_missing",
    "unit_out_of_scope", "unit_unknown", "unknown_column", "unknown_form", "unreadable",
    "year_invalid", "year_missing",
}
# What officers and machines put in cells, good and bad.
CELL_POOL: list[object] = [
    "", " ", "12a", "-5", "1.826.513", "89,68%", "1e309", "NaN", "inf", "-Infinity",
    "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)",
    "'; DROP TABLE raw.submissions; --", "Tổng cộng", "Tong so", "(1)", "(3)", "(99)",
    "Năm 2022", "Năm báo cáo:", "Đơn vị báo cáo:", "Mã đơn vị:", "THADS-10", "STP-99",
    "Ngày lập báo cáo:", "31/02/2022", "x" * 5000, "\u202e\u0000\u0007", "🙂" * 10,
    2**70, -(2**63), 1e308, -1e-300, 0.5, 3.14159, 10**20, True, False, 0, -1,
    float("inf"), float("-inf"),
]


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def _rezip(data: bytes, rng: random.Random, edit: Callable[[list[tuple[zipfile.ZipInfo, bytes]],
                                                            random.Random], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    edit(members, rng)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, content in members:
            dst.writestr(info.filename, content)
    return buffer.getvalue()


def _shuffle_members(members: list, rng: random.Random) -> None:
    rng.shuffle(members)
    if rng.random() < 0.3 and len(members) > 1:
        members.pop(rng.randrange(len(members)))  # a member lost on the way
    if rng.random() < 0.2:
        members.append(members[rng.randrange(len(members))])  # a duplicated entry


def _damage_xml(members: list, rng: random.Random) -> None:
    """Damage the XML of one part, which still inflates and passes its CRC."""
    index = rng.randrange(len(members))
    info, content = members[index]
    text = bytearray(content)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(max(len(text), 1))
        choice = rng.random()
        if choice < 0.4:
            text[position:position] = rng.choice([b"<", b">", b"&", b"\"", b"</c>", b"<row>",
                                                  b'r="XFD1048576"', b"\x00", b"\xff\xfe"])
        elif choice < 0.7:
            del text[position:position + rng.randint(1, 40)]
        else:
            text[position:position + 1] = bytes([rng.randrange(256)])
    members[index] = (info, bytes(text))


def _cell_text(data: bytes, rng: random.Random) -> bytes:
    """Random values typed into random cells of a real workbook, saved again by openpyxl."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for _ in range(rng.randint(1, 12)):
        sheet = workbook.worksheets[rng.randrange(len(workbook.worksheets))]
        row = rng.randint(1, max(sheet.max_row, 1) + 2)
        col = rng.randint(1, max(sheet.max_column, 1) + 1)
        value = rng.choice(CELL_POOL)
        try:
            sheet.cell(row=row, column=col).value = value
        except (ValueError, TypeError, AttributeError, IllegalCharacterError):  # merged cells…
            continue
        if isinstance(value, str) and value.startswith("="):
            sheet.cell(row=row, column=col).data_type = rng.choice(["s", "f"])
    if rng.random() < 0.2:
        sheet = workbook.worksheets[rng.randrange(len(workbook.worksheets))]
        sheet.title = rng.choice(["THADS_VIEC", "pbgdpl ", "Biểu HOAGIAI", "Sheet1", "THADS_TIEN"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_lines(data: bytes, rng: random.Random) -> bytes:
    """Lines of a CSV export deleted, repeated, swapped, garbled or replaced."""
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(newline)
    for _ in range(rng.randint(1, 8)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.2:
            del lines[i]
        elif op < 0.35:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op < 0.5:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op < 0.8:
            delimiter = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
            fields = lines[i].split(delimiter)
            k = rng.randrange(len(fields))
            fields[k] = str(rng.choice(CELL_POOL)).encode("utf-8", "surrogatepass")
            lines[i] = delimiter.join(fields)
        else:
            lines[i] = rng.choice([b'"unterminated, quote', b"\x00\x00\x00", b";;;;;;;;",
                                   bytes(rng.randrange(256) for _ in range(40)), b"",
                                   b"unit_code,year,form,subunit,indicator,value"])
    return newline.join(lines)


def _shuffled(data: bytes, rng: random.Random) -> bytes:
    return _rezip(data, rng, _shuffle_members)


def _damaged_xml(data: bytes, rng: random.Random) -> bytes:
    return _rezip(data, rng, _damage_xml)


def _mutators(kind: str) -> list[Callable[[bytes, random.Random], bytes]]:
    common = [_flip_bytes, _truncate]
    if kind == "csv":
        return [*common, _csv_lines, _csv_lines]
    if kind == "xls":  # an OLE2 compound file: no zip members, no openpyxl
        return [*common, _flip_bytes]
    if kind == "ods":
        return [*common, _shuffled, _damaged_xml]
    return [*common, _cell_text, _cell_text, _shuffled, _damaged_xml]


def _sources(sample: SampleManifest, tmp: Path) -> list[tuple[Path, int]]:
    """(file, number of mutants): a spread of layouts (one workbook per form, both forms in
    one, prefixed sheets, an instructions sheet, text figures), CSV in UTF-8 and Windows-1258,
    and one report re-written as .ods and .xls (fewer mutants: .xls is read in a child)."""
    import openpyxl

    picks = ["2022_STP-02_Ha-Giang.xlsx", "2022_THADS-02_bieu-viec.xlsx",
             "2022_STP-11_HOAGIAI.xlsx", "2023_THADS-20_Lang-Son.xlsx",
             "2024_THADS-14_Son-La_tien.xlsx", "2022_STP-04_Cao-Bang.csv",
             "2022_THADS-10_xuat-du-lieu.csv", "2025_STP-15_Lao-Cai.xlsx"]
    paths = [sample.out_dir / name for name in picks if (sample.out_dir / name).exists()]
    assert len(paths) >= 6, sorted(p.name for p in sample.out_dir.iterdir())
    workbook = openpyxl.load_workbook(sample.out_dir / "2022_STP-10_Lao-Cai.xlsx")
    sheets = {ws.title: Grid([[c.value for c in row] for row in ws.iter_rows()])
              for ws in workbook.worksheets}
    converted = [write_ods(tmp / "2022_STP-10.ods", sheets), write_xls(tmp / "2022_STP-10.xls",
                                                                      sheets)]
    for path in converted:
        assert parse_file(path).rejection is None, path
    return [(p, MUTANTS_PER_SOURCE) for p in paths] + [(converted[0], 20), (converted[1], 12)]


def _check(result: ParseResult, label: str) -> str:
    unexpected = [w for w in result.warnings if w.startswith("unexpected ")]
    assert not unexpected, f"{label}: parser bug reached the last-resort handler: {unexpected}"
    if result.rejection is not None:
        rejection = result.rejection
        assert rejection.code in KNOWN_CODES, (label, rejection)
        assert rejection.message.startswith('Tệp "') and len(rejection.message) > 20, label
        return "rejected"
    assert result.submissions, f"{label}: accepted without any submission"
    for submission in result.submissions:
        for value in submission.values:
            assert math.isfinite(value.value) and value.value >= 0, (label, value)
    return "loaded"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
def test_mutated_sample_files_are_loaded_or_rejected_with_a_reason(
    sample: SampleManifest, registry: Registry, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    outcomes = {"loaded": 0, "rejected": 0}
    slowest = 0.0
    started = time.perf_counter()
    count = 0
    sources = tmp_path / "sources"
    sources.mkdir()
    for source, mutants in _sources(sample, sources):
        data = source.read_bytes()
        kind = source.suffix.lstrip(".")
        for i in range(mutants):
            mutate = rng.choice(_mutators(kind))
            mutant = mutate(data, rng)
            label = f"{source.name} mutant {i} ({mutate.__name__})"
            path = tmp_path / f"m{count:03d}_{source.name}"
            path.write_bytes(mutant)
            t0 = cpu_seconds()
            result = parse_file(path, registry=registry)
            elapsed = cpu_seconds() - t0
            slowest = max(slowest, elapsed)
            assert elapsed < 5, f"{label}: {elapsed:.1f} s"
            outcomes[_check(result, label)] += 1
            count += 1
    total = time.perf_counter() - started
    print(f"fuzz: {count} mutants, {outcomes}, slowest parse {slowest * 1000:.0f} ms of CPU, "
          f"total {total:.1f} s")
    assert count >= 230
    # Both outcomes occur: the mutations are neither all fatal nor all harmless.
    assert outcomes["loaded"] >= 10 and outcomes["rejected"] >= 50, outcomes

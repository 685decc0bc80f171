"""Hostile files, one by one, straight through the parser (the full load is in test_load_*).

Fast feedback on every kind of hostile file, plus the regressions found while building these
tests: a date cell that made the native reader panic, an .xls that made it abort the process,
an oversized file that must be refused from its size alone, and a file rewritten while it is
being archived.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ingest.model import ParseResult
from ingest.parse import parse_file
from ingest.reference import Registry, load_registry
from ingest.sample import SampleManifest
from orchestration.ingest.inbox import archive_file
from tests.ingest.builders import report_grid, write_xlsx
from tests.reliability.cpu_time import cpu_seconds
from tests.reliability.hostile import INJECTIONS, Expect, write_hostile_inbox

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024**3


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory,
            sample: SampleManifest) -> tuple[Path, dict[str, Expect]]:
    inbox = tmp_path_factory.mktemp("hostile")
    template = sample.out_dir / "2022_STP-10_Lao-Cai.xlsx"
    return inbox, write_hostile_inbox(inbox, template)


def _parse(path: Path, registry: Registry) -> ParseResult:
    return parse_file(path, registry=registry)


def test_every_hostile_file_gets_the_expected_outcome(hostile: tuple[Path, dict[str, Expect]],
                                                     registry: Registry) -> None:
    inbox, expect = hostile
    assert sorted(p.name for p in inbox.iterdir()) == sorted(expect)
    for name, wanted in expect.items():
        start = cpu_seconds()
        result = _parse(inbox / name, registry)
        elapsed = cpu_seconds() - start
        assert elapsed < 5, (name, elapsed)
        assert not [w for w in result.warnings if w.startswith("unexpected ")], name
        if wanted.loads:
            assert result.rejection is None, (name, result.rejection)
            assert {s.unit_code for s in result.submissions} == {wanted.unit_code}
        else:
            assert result.rejection is not None, name
            assert result.rejection.code == wanted.code, (name, result.rejection)
            assert result.rejection.message.startswith('Tệp "'), result.rejection


def test_injection_strings_are_kept_as_text(hostile: tuple[Path, dict[str, Expect]],
                                            registry: Registry) -> None:
    inbox, _ = hostile
    for name in ("ten-don-vi-con-doc-hai.xlsx", "ten-don-vi-con-doc-hai.csv"):
        result = _parse(inbox / name, registry)
        subunits = [v.subunit for s in result.submissions for v in s.values if v.subunit]
        assert list(dict.fromkeys(subunits)) == list(INJECTIONS), name


def test_a_date_cell_holding_an_absurd_number_is_rejected_not_a_crash(
    tmp_path: Path, registry: Registry
) -> None:
    """The report-date cell is date-formatted; typed over with -9.2e18, the native reader
    panicked (a BaseException that escaped the parser and stopped the whole load)."""
    grid = report_grid("PBGDPL", [("Tổng cộng", {"sessions": 1})], unit_code="STP-10",
                       report_date=date(2022, 11, 15))
    path = write_xlsx(tmp_path / "ngay.xlsx", {"PBGDPL": grid})
    workbook = openpyxl.load_workbook(path)
    for row in workbook["PBGDPL"].iter_rows():
        for cell in row:
            if getattr(cell, "is_date", False):
                cell.value = -9.223372036854776e18
                cell.number_format = "DD/MM/YYYY"
    workbook.save(path)
    result = _parse(path, registry)
    assert result.rejection is not None and result.rejection.code == "unreadable"
    assert "ô ngày tháng" in result.rejection.message
    assert any("panic" in w for w in result.warnings)


def test_an_xls_that_crashes_the_native_reader_only_rejects_that_file(
    hostile: tuple[Path, dict[str, Expect]], registry: Registry
) -> None:
    """Read in-process, this file made calamine request ~1 TB and abort the interpreter."""
    inbox, _ = hostile
    result = _parse(inbox / "hong-kich-thuoc.xls", registry)
    assert result.rejection.code == "unreadable"
    assert any("exited with" in w for w in result.warnings), result.warnings


PEAK_RSS = (
    "import resource\n"
    "usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,"
    " resource.RUSAGE_CHILDREN)]\n"
    "print(next(int(line.split()[1]) for line in open('/proc/self/status')"
    " if line.startswith('VmHWM:')), sum(u.ru_utime + u.ru_stime for u in usage))\n"
)


def _peak_rss_of(code: str) -> tuple[int, str, float]:
    """Run Python code in a child; return its peak RSS (bytes), stdout and CPU time (seconds,
    its own and its children's: what it cost, which a busy machine does not change).

    The child reports its own VmHWM: ru_maxrss would also count the pages of this (large)
    pytest process that the child shared between fork and exec."""
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    rss_kib, cpu = out.strip().splitlines()[-1].split()  # VmHWM is in kB
    return int(rss_kib) * 1024, out, float(cpu)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(3 * GIB)  # sparse: no disk used, 3 GiB if read
    code = (
        "from ingest.parse import parse_file\n"
        f"r = parse_file({str(path)!r})\n"
        "print(r.rejection.code)\n"
        "print(r.rejection.message)\n"
    ) + PEAK_RSS
    peak, out, cpu = _peak_rss_of(code)
    print(f"3 GiB file refused with {cpu:.2f} s of CPU, peak RSS {peak / 1024**2:.0f} MiB")
    lines = out.splitlines()
    assert lines[0] == "too_large"
    assert "tệp quá lớn (3072,0 MB, giới hạn 50,0 MB)" in lines[1]
    assert peak < 200 * 1024**2, peak  # the interpreter and its imports, not the 3 GiB file
    assert cpu < 30, cpu


def test_a_csv_of_many_short_lines_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """48 MiB of three-byte lines, just under the 50 MiB limit. The reader used to list every
    line to find the header: 1,5 GB for this file. Now it stops at the first line."""
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(b"ab\n" * (16 * 1024 * 1024))
    code = (
        "from ingest.parse import parse_file\n"
        f"r = parse_file({str(path)!r})\n"
        "print(r.rejection.code)\n"
    ) + PEAK_RSS
    peak, out, _ = _peak_rss_of(code)
    assert out.splitlines()[0] == "missing_header"
    print(f"48 MiB CSV of short lines: peak RSS {peak / 1024**2:.0f} MiB")
    assert peak < 400 * 1024**2, f"{peak / 1024**2:.0f} MiB"


def test_a_file_rewritten_while_archived_is_stored_under_the_hash_of_its_bytes(
    tmp_path: Path,
) -> None:
    """A unit's upload still in progress: the file changes while the load hashes and copies
    it. Whatever is archived must be named by the sha256 of exactly those bytes."""
    inbox_file = tmp_path / "dang-tai.xlsx"
    versions = [bytes([i]) * (4 * 1024 * 1024) for i in range(3)]
    inbox_file.write_bytes(versions[0])
    archive_dir = tmp_path / "archive"
    stop = threading.Event()

    def keep_rewriting() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            with open(inbox_file, "r+b") as handle:  # in place, as a slow copy does
                for offset in range(0, len(versions[0]), 256 * 1024):
                    handle.seek(offset)
                    handle.write(versions[i % 3][offset:offset + 256 * 1024])

    writer = threading.Thread(target=keep_rewriting, daemon=True)
    writer.start()
    try:
        results = [archive_file(inbox_file, archive_dir) for _ in range(15)]
    finally:
        stop.set()
        writer.join()
    for sha, archived in results:
        assert archived.name == sha
        assert hashlib.sha256(archived.read_bytes()).hexdigest() == sha
    leftovers = [p for p in archive_dir.rglob("*") if p.is_file() and p.name.endswith(".partial")]
    assert not leftovers
    assert os.listdir(archive_dir)

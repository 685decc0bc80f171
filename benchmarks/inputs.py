"""The benchmark inputs: cached sample inboxes, the 4× national set and a corrected report.

Everything lives under benchmarks/cache/ (git-ignored) and is made once: a folder counts as
ready only when its ".complete" marker exists (written last, so an interrupted build is redone).
The load skips hidden files, so the marker never reaches a warehouse.

- national: `tuphap sample --scale national --no-flawed` (~1.600 files, 2016-2025)
- demo: `tuphap sample` (the 14-unit cluster, with its deliberately flawed files)
- national4: the national set plus three byte-different copies of every report with the same
  figures (4× files, rows and submissions; the same facts)
- a correction: one report copied with one figure changed and a later report date
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.floor import report_files
from ingest.numbers import parse_number
from ingest.text import normalise_key
from ingest.vn_format import format_number

if TYPE_CHECKING:
    from ingest.model import ParseResult

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DEFAULT_CACHE = BENCH_DIR / "cache"
MARKER = ".complete"
COPIES = 3  # extra copies per report in national4


# Cached folders


def tuphap_command() -> list[str]:
    """The `tuphap` console script of this interpreter's environment (or the module)."""
    script = Path(sys.executable).parent / "tuphap"
    return [str(script)] if script.exists() else [sys.executable, "-m", "orchestration.cli"]


def _ready(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _build(folder: Path, make: Callable[[Path], dict]) -> Path:
    """Build `folder` via a sibling ".partial" folder, then mark it complete and move it in."""
    if _ready(folder):
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    partial.mkdir(parents=True)
    info = make(partial)
    info["files"] = len(report_files(partial))
    (partial / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    partial.rename(folder)
    return folder


def _sample(out: Path, *extra: str) -> dict:
    command = [*tuphap_command(), "sample", "--out", str(out), *extra]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    return {"command": " ".join(["tuphap", "sample", "--out", out.name, *extra])}


def ensure_national(cache: Path = DEFAULT_CACHE) -> Path:
    """The national sample without flawed files, made once (~20 s)."""
    return _build(cache / "national",
                  lambda out: _sample(out, "--scale", "national", "--no-flawed"))


def ensure_demo(cache: Path = DEFAULT_CACHE) -> Path:
    """The 14-unit cluster sample with its flawed files: what `make demo` loads."""
    return _build(cache / "demo", lambda out: _sample(out))


def ensure_national4(cache: Path = DEFAULT_CACHE, national: Path | None = None,
                     log: Callable[[str], None] = print) -> Path:
    """The national set at 4×: every report plus COPIES byte-different copies (a few minutes
    once: every workbook is re-saved by openpyxl)."""
    source = national or ensure_national(cache)
    return _build(cache / "national4", lambda out: write_copies(source, out, log=log))


def inputs_info(folder: Path) -> dict:
    """Files, kinds and bytes of an inbox, for results.json."""
    files = report_files(folder)
    kinds: dict[str, int] = {}
    for path in files:
        kinds[path.suffix.lower().lstrip(".")] = kinds.get(path.suffix.lower().lstrip("."), 0) + 1
    return {"dir": str(folder), "files": len(files), "kinds": kinds,
            "bytes": sum(p.stat().st_size for p in files)}


def link_inbox(source: Path, dest: Path) -> Path:
    """A private inbox with the same files: hard links (a copy where linking fails), so a run
    can add a file without touching the cache."""
    for path in report_files(source):
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return dest


# 4× copies: different bytes, the same figures


def csv_variant(data: bytes, copy: int) -> bytes:
    """Copy 1: a trailing blank line; 2: the other line endings; 3: both."""
    crlf = b"\r\n" in data
    eol = b"\r\n" if crlf else b"\n"
    if copy in (2, 3):
        other = b"\n" if crlf else b"\r\n"
        data = data.replace(b"\r\n", b"\n")
        data = data.replace(b"\n", other) if other == b"\r\n" else data
        eol = other
    if copy in (1, 3):
        data = data if data.endswith(eol) else data + eol
        data += eol
    return data


def _preparer_cells(ws) -> list:  # noqa: ANN001 - openpyxl worksheet
    """The value cells of "Người lập biểu" metadata lines (above the table, not the footer)."""
    found = []
    for row in ws.iter_rows():
        filled = [c for c in row if c.value is not None and str(c.value).strip()]
        if not filled:
            continue
        first = str(filled[0].value).strip()
        if first == "(1)":
            break
        if len(filled) > 1 and normalise_key(first) == "nguoi lap bieu":
            found.append(filled[1])
    return found


def xlsx_variants(path: Path, out_paths: list[Path]) -> None:
    """Re-save a workbook once per output path with the preparer's name changed."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    cells = [c for ws in workbook.worksheets for c in _preparer_cells(ws)]
    if not cells:
        raise ValueError(f"{path.name}: no 'Người lập biểu' line to vary")
    original = [c.value for c in cells]
    for copy, out in enumerate(out_paths, start=1):
        for cell, name in zip(cells, original, strict=True):
            cell.value = f"{name} (bản sao {copy})"
        workbook.save(out)


def copy_name(path: Path, copy: int) -> str:
    return f"{path.stem}_ban-sao-{copy}{path.suffix}"


def write_copies(source: Path, out: Path, *, copies: int = COPIES,
                 log: Callable[[str], None] = print) -> dict:
    """Link every report of `source` into `out` and add `copies` variants of each."""
    files = report_files(source)
    for index, path in enumerate(files, start=1):
        target_dir = out / path.relative_to(source).parent
        target_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target_dir / path.name)
        except OSError:
            shutil.copy2(path, target_dir / path.name)
        outputs = [target_dir / copy_name(path, k) for k in range(1, copies + 1)]
        suffix = path.suffix.lower()
        if suffix == ".csv":
            data = path.read_bytes()
            for k, target in enumerate(outputs, start=1):
                target.write_bytes(csv_variant(data, k))
        elif suffix == ".xlsx":
            xlsx_variants(path, outputs)
        else:
            raise ValueError(f"cannot vary {path.name}: only .xlsx and .csv are supported")
        if index % 200 == 0:
            log(f"  national4: {index}/{len(files)} reports copied")
    return {"source": source.name, "copies_per_report": copies}


# A corrected report


@dataclass(frozen=True)
class Correction:
    """One report re-sent with one figure changed and a later report date."""

    path: Path
    source_file: str
    form: str
    indicator: str
    unit_code: str
    province_code: str
    year: int
    old_total: float
    new_total: float
    old_report_date: str
    new_report_date: str

    def as_json(self) -> dict:
        out = asdict(self)
        out["path"] = str(self.path)
        return out


def _unit_total(submission, indicator: str) -> float:  # noqa: ANN001 - ingest Submission
    values = [v for v in submission.values if v.indicator == indicator]
    totals = [v.value for v in values if v.subunit is None]
    return totals[0] if totals else sum(v.value for v in values)


def _table_rows(ws) -> tuple[int, list[int], int | None]:  # noqa: ANN001
    """(column of "(2)", data row numbers of sub-units, row number of the total row or None)."""
    header_row = sessions_col = name_col = None
    for row in ws.iter_rows():
        for cell in row:
            text = str(cell.value).strip() if cell.value is not None else ""
            if text == "(1)":
                header_row, name_col = cell.row, cell.column
            elif text == "(2)" and header_row == cell.row:
                sessions_col = cell.column
        if header_row is not None:
            break
    if header_row is None or sessions_col is None:
        raise ValueError("no column-number row with (1) and (2)")
    subunits: list[int] = []
    total = None
    r = header_row + 1
    while r <= ws.max_row:
        label = ws.cell(r, name_col).value
        values = [ws.cell(r, c).value for c in range(1, ws.max_column + 1)]
        if all(v is None or not str(v).strip() for v in values):
            break
        if normalise_key(label) in {"tong cong", "tong so", "tong"}:
            total = r
        else:
            subunits.append(r)
        r += 1
    return sessions_col, subunits, total


def _bump(value: object, by: int) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) + by
    number = int(parse_number(value).value) + by  # text figures ("1.734") keep their style
    return format_number(number)


def _later(value: object, days: int) -> object:
    if isinstance(value, datetime):
        return value + timedelta(days=days)
    if isinstance(value, date):
        return value + timedelta(days=days)
    day, month, year = (int(p) for p in str(value).strip().split("/"))
    return (date(year, month, day) + timedelta(days=days)).strftime("%d/%m/%Y")


def _date_cells(ws) -> list:  # noqa: ANN001 - openpyxl worksheet
    """The value cells of the sheet's "Ngày lập báo cáo" lines."""
    cells = []
    for row in ws.iter_rows():
        filled = [c for c in row if c.value is not None and str(c.value).strip()]
        if len(filled) > 1 and normalise_key(filled[0].value) == "ngay lap bao cao":
            cells.append(filled[1])
    return cells


def make_correction(source: Path, out_dir: Path, *, form: str = "PBGDPL",
                    indicator: str = "sessions", days_later: int = 30) -> Correction:
    """Copy the first workbook of `source` that has a dated `form` sheet into `out_dir`, add 1
    to the indicator of column (2) in its first sub-unit row and in its total row (so the
    report stays consistent), and move its "Ngày lập báo cáo" `days_later` days on.

    Only column (2) is supported, which for PBGDPL is "sessions".
    """
    from openpyxl import load_workbook

    from ingest.forms import FORM_COLUMNS
    from ingest.parse import parse_file

    if FORM_COLUMNS[form].get(2) != indicator:
        raise ValueError(f"only column (2) of a form can be corrected, not {indicator}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in report_files(source):
        if path.suffix.lower() != ".xlsx":
            continue
        workbook = load_workbook(path)
        sheets = [ws for ws in workbook.worksheets if form in ws.title.upper()]
        if not sheets or not _date_cells(sheets[0]):
            continue
        col, subunits, total = _table_rows(sheets[0])
        if not subunits:
            continue
        before = parse_file(path, scope="national")
        for ws in workbook.worksheets:  # every sheet of the report carries the new date
            for cell in _date_cells(ws):
                cell.value = _later(cell.value, days_later)
        for r in [subunits[0], *([total] if total else [])]:
            sheets[0].cell(r, col).value = _bump(sheets[0].cell(r, col).value, 1)
        target = out_dir / f"{path.stem}_dinh-chinh{path.suffix}"
        workbook.save(target)
        after = parse_file(target, scope="national")
        if after.rejection is not None:
            raise RuntimeError(f"the corrected report is rejected: {after.rejection.message}")
        return _correction(target, path.name, form, indicator, before, after)
    raise LookupError(f"no dated {form} workbook in {source}")


def _correction(target: Path, source_file: str, form: str, indicator: str,
                before: ParseResult, after: ParseResult) -> Correction:
    old = next(s for s in before.submissions if s.form == form)
    new = next(s for s in after.submissions if s.form == form)
    return Correction(
        path=target, source_file=source_file, form=form, indicator=indicator,
        unit_code=new.unit_code, province_code=new.province_code, year=new.year,
        old_total=_unit_total(old, indicator), new_total=_unit_total(new, indicator),
        old_report_date=str(old.report_date), new_report_date=str(new.report_date))

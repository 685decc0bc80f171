"""Write the yearly report of one year: read the warehouse, build the document, render it.

`write_year_report` is what the command line and the Dagster asset call. It takes an open
DB-API connection (the engine's read-only connection) and writes three files into `out_dir`:
the HTML page, the A4 PDF and the workbook of the report's tables.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.constants import SCOPES
from ingest.sample.known_files import KNOWN_FILES
from orchestration.report.document import build_document
from orchestration.report.folder import default_out_dir
from orchestration.report.fonts import FACES, font_dir
from orchestration.report.issuer import issuer_from
from orchestration.report.model import Issuer, ReportData
from orchestration.report.read import NoReportData, last_loaded_years, read_report_data
from orchestration.report.render import render_charts, render_html, render_pdf
from orchestration.report.synthetic import count_synthetic
from orchestration.report.workbook import write_workbook
from orchestration.warehouse.engine import Connection

if TYPE_CHECKING:
    from orchestration.warehouse.engine import WarehouseEngine

__all__ = ["NoReportData", "ReportPaths", "default_out_dir", "report_file_stem",
           "write_load_reports", "write_reports", "write_year_report"]


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    pdf: Path
    xlsx: Path

    def all(self) -> tuple[Path, Path, Path]:
        return (self.html, self.pdf, self.xlsx)


def report_file_stem(year: int, scope: str) -> str:
    """`so-lieu-tu-phap-2022-khu-vuc`, `so-lieu-tu-phap-2025-toan-quoc`: ASCII, sortable."""
    return f"so-lieu-tu-phap-{year}-{'toan-quoc' if scope == 'national' else 'khu-vuc'}"


@dataclass(frozen=True)
class _Pending:
    """A year whose report must be rendered: its data, where it goes, what it was made from."""

    data: ReportData
    paths: ReportPaths
    stamp: Path
    fingerprint: str
    with_annex: bool


def write_year_report(connection: Connection, *, year: int, scope: str = "cluster",
                      out_dir: Path, with_annex: bool = True,
                      issuer: Issuer | None = None) -> ReportPaths:
    """Write the HTML page, the A4 PDF and the workbook of `year` for `scope` into `out_dir`.

    `with_annex=False` leaves the technical annex out of the PDF; `issuer` is the issuing block
    (by default from the environment, issuer.py). Raises NoReportData (a LookupError with a
    message for the data team) when the warehouse has no figures for the year. The same
    warehouse always gives the same bytes.
    """
    pending = _plan(connection, year=year, scope=scope, out_dir=Path(out_dir),
                    with_annex=with_annex, issuer=issuer)
    if pending is None:
        return _paths(Path(out_dir), year, scope)
    return _render(pending)


def _paths(out_dir: Path, year: int, scope: str) -> ReportPaths:
    stem = report_file_stem(year, scope)
    return ReportPaths(out_dir / f"{stem}.html", out_dir / f"{stem}.pdf", out_dir / f"{stem}.xlsx")


def _plan(connection: Connection, *, year: int, scope: str, out_dir: Path,
          with_annex: bool = True, issuer: Issuer | None = None) -> _Pending | None:
    """Read the year's data (NoReportData when none); None when its report is up to date."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    data = dataclasses.replace(read_report_data(connection, year=year, scope=scope),
                               issuer=issuer if issuer is not None else issuer_from())
    paths = _paths(out_dir, year, scope)
    fingerprint = inputs_fingerprint(data, with_annex=with_annex)
    stamp = out_dir / f".{report_file_stem(year, scope)}.inputs"
    if _unchanged(paths, stamp, fingerprint):
        return None
    return _Pending(data, paths, stamp, fingerprint, with_annex)


def _render(pending: _Pending) -> ReportPaths:
    """Render one report and write its three files (and the stamp of its inputs, last)."""
    data = dataclasses.replace(
        pending.data,
        synthetic_files=count_synthetic(s.sha256 for s in pending.data.submissions))
    paths, stamp = pending.paths, pending.stamp
    document = build_document(data, stem=paths.html.stem)
    rendered = render_charts(document.charts)
    html = render_html(document, rendered)
    pdf = render_pdf(document, rendered, timestamp=data.loaded_at,
                     with_annex=pending.with_annex)
    paths.html.parent.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a crash between the files must not leave it "unchanged"
    write_workbook(document, paths.xlsx, created=data.loaded_at)
    _write_atomically(paths.html, html)
    _write_atomically(paths.pdf, pdf)
    _write_atomically(stamp, pending.fingerprint.encode())
    return paths


def inputs_fingerprint(data: ReportData, *, with_annex: bool = True) -> str:
    """What a report's bytes depend on: the data read for it (the issuing block included), the
    annex setting and the code that renders it.

    Rendering a year costs about a second (charts, PDF) while reading its data costs a few
    hundredths, so a load rewrites only the reports whose inputs changed: a corrected 2023
    report re-renders 2023 and the later years that compare with it, not every year.
    """
    digest = hashlib.sha256(_renderer_digest().encode())
    digest.update(repr(data).encode())
    digest.update(b"annex" if with_annex else b"no annex")
    return digest.hexdigest()


@cache
def _renderer_digest() -> str:
    """The report package's own source and templates, the list of the sample's files and the
    font files, so a change to any of them renders anew."""
    digest = hashlib.sha256(KNOWN_FILES.read_bytes())  # which files count as synthetic
    for name, _, _ in FACES:  # the type family the report is set in
        digest.update(name.encode() + str((font_dir() / name).stat().st_size).encode())
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".typ"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _unchanged(paths: ReportPaths, stamp: Path, fingerprint: str) -> bool:
    try:
        return stamp.read_text() == fingerprint and all(p.is_file() for p in paths.all())
    except OSError:
        return False


def write_reports(engine: WarehouseEngine, *, years: Iterable[int], scope: str,
                  out_dir: Path | None = None) -> dict[int, ReportPaths]:
    """The reports of every year that has figures, from the published warehouse (read-only, so
    analysts and other readers are never blocked); years without figures are left out.

    Reading a year takes hundredths of a second, rendering it one to two seconds (charts, PDF):
    a year whose inputs did not change keeps its files.
    """
    out_dir = out_dir or default_out_dir(engine)
    with _one_writer(out_dir):
        return _write_reports(engine, years=years, scope=scope, out_dir=out_dir)


@contextmanager
def _one_writer(out_dir: Path) -> Iterator[None]:
    """One reports run per folder at a time (an flock the kernel frees if the process dies):
    two loads in a row start two runs after them, and the later must read the warehouse, and
    write, after the earlier, or the earlier's older figures could land last."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".reports.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write_reports(engine: WarehouseEngine, *, years: Iterable[int], scope: str,
                   out_dir: Path) -> dict[int, ReportPaths]:
    written: dict[int, ReportPaths] = {}
    pending: list[_Pending] = []
    with engine.read_only() as connection:
        for year in sorted(set(years)):
            try:
                planned = _plan(connection, year=year, scope=scope, out_dir=out_dir)
            except NoReportData:
                continue
            if planned is None:
                written[year] = _paths(out_dir, year, scope)
            else:
                pending.append(planned)
    # Rendered here, one after the other: a pool of workers halved the time but each carries
    # its own chart engine (V8), which took a national load past its 1,5 GiB memory target.
    written.update({p.data.year: _render(p) for p in pending})
    return dict(sorted(written.items()))


def write_load_reports(engine: WarehouseEngine, *, years: Iterable[int],
                       scope: str) -> dict[int, ReportPaths]:
    """After a load: the reports of the years it loaded, among `years` (the run's).

    A unit's corrected 2016 report refreshes the 2016 report, not the nine later ones whose
    trend charts it nudges: `tuphap report --year N` always writes N's report from everything
    the warehouse holds.
    """
    with engine.read_only() as connection:
        loaded = last_loaded_years(connection)
    return write_reports(engine, years=set(years) & loaded, scope=scope)


def _write_atomically(path: Path, content: bytes) -> None:
    """Someone may have yesterday's report open: replace it whole, never half-written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)

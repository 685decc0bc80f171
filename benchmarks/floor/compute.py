"""run_floor: read every file of an inbox once, hand the figures to DuckDB, run the one SQL."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from benchmarks.floor.csv_files import CSV_SUFFIXES, read_csvs
from benchmarks.floor.sql import FACT_COLUMNS, FACTS_SQL
from benchmarks.floor.workbooks import WORKBOOK_SUFFIXES, Columns, UnitResolver, read_workbook
from ingest.reference import Registry, load_registry


@dataclass
class FloorResult:
    """The three fact tables (rows as dicts, sorted by province and year) and where time went."""

    facts: dict[str, list[dict[str, object]]]
    files: int
    workbook_files: int
    csv_files: int
    values: int  # figures read (workbook cells + CSV lines), before picking winners
    parse_seconds: float
    sql_seconds: float
    timings: dict[str, float] = field(default_factory=dict)  # finer parse breakdown

    @property
    def total_seconds(self) -> float:
        return self.parse_seconds + self.sql_seconds


def report_files(inbox: Path) -> list[Path]:
    """Every report file under the inbox as the load sees it: regular, not hidden, sorted."""
    return [p for p in sorted(Path(inbox).rglob("*"))
            if p.is_file() and not p.is_symlink() and not p.name.startswith((".", "~$"))]


@dataclass
class _Read:
    """The inbox after the workbooks are read: their figures, the CSV still to read, and every
    file's (id, name relative to the inbox, mtime in ns) for choosing between submissions."""

    wb_values: Columns = field(default_factory=Columns)
    csv_paths: list[tuple[int, Path]] = field(default_factory=list)
    file_rows: list[tuple[int, str, int]] = field(default_factory=list)
    workbooks: int = 0


def _read_workbooks(inbox: Path, files: list[Path], resolver: UnitResolver) -> _Read:
    read = _Read()
    for file_id, path in enumerate(files):
        stat = path.stat()
        read.file_rows.append((file_id, path.relative_to(inbox).as_posix(), stat.st_mtime_ns))
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            read_workbook(path, file_id, resolver, read.wb_values)
            read.workbooks += 1
        elif suffix in CSV_SUFFIXES:
            read.csv_paths.append((file_id, path))
        else:
            raise ValueError(f"not a report file: {path}")
    return read


def _hand_over(con: duckdb.DuckDBPyConnection, read: _Read, registry: Registry) -> None:
    """The workbook figures, the files and the units of the years seen, as Arrow tables."""
    con.register("wb_values", read.wb_values.table())
    con.register("floor_files", pa.table({
        "file_id": pa.array([r[0] for r in read.file_rows], pa.int32()),
        "name": pa.array([r[1] for r in read.file_rows], pa.string()),
        "mtime_ns": pa.array([r[2] for r in read.file_rows], pa.int64()),
    }))
    years = sorted(set(read.wb_values.data["year"]) | {
        int(y) for (y,) in con.execute(
            "select distinct cast(trim(year) as integer) from csv_rows").fetchall()})
    units = [(u.unit_code, year, u.province_code)
             for year in years for u in registry.units_for_year(year)]
    con.register("floor_units", pa.table({
        "unit_code": pa.array([u[0] for u in units], pa.string()),
        "year": pa.array([u[1] for u in units], pa.int32()),
        "province_code": pa.array([u[2] for u in units], pa.string()),
    }))


def run_floor(inbox: Path, *, registry: Registry | None = None,
              threads: int | None = None) -> FloorResult:
    """Parse every file of `inbox` once and compute the three fact tables (see the package)."""
    started = time.perf_counter()
    registry = registry if registry is not None else load_registry()
    resolver = UnitResolver(registry)
    files = report_files(inbox)
    con = duckdb.connect(config={} if threads is None else {"threads": int(threads)})
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="tuphap-floor-") as scratch:
            read = _read_workbooks(inbox, files, resolver)
            timings["workbooks_seconds"] = time.perf_counter() - started
            mark = time.perf_counter()
            csv_values = read_csvs(con, read.csv_paths, Path(scratch))
            timings["csv_seconds"] = time.perf_counter() - mark
            mark = time.perf_counter()
            _hand_over(con, read, registry)
            timings["handover_seconds"] = time.perf_counter() - mark
            parse_seconds = time.perf_counter() - started
            mark = time.perf_counter()
            row = con.execute(FACTS_SQL).fetchall()[0]
            sql_seconds = time.perf_counter() - mark
    finally:
        con.close()
    facts = {name: list(rows) for name, rows in zip(FACT_COLUMNS, row, strict=True)}
    return FloorResult(facts, len(files), read.workbooks, len(read.csv_paths),
                       len(read.wb_values) + csv_values, parse_seconds, sql_seconds, timings)

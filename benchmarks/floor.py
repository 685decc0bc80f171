"""The floor: the least work any load of an inbox must do, done as directly as possible.

A load has to read every file once and turn the figures into the three fact tables. The floor
does exactly that and nothing else: python-calamine for workbooks, DuckDB's read_csv for the
long CSV (Windows-1258 files are decoded in Python first, because DuckDB reads UTF-8 only), and
ONE SQL statement that picks the winning submission, takes the unit totals and pivots them into
fct_dissemination, fct_mediation and fct_enforcement. No validation, no archive, no lineage, no
quality rules, no Dagster, no dbt: its time is a lower bound, and `load time / floor time` says
how much the real pipeline spends on everything else.

It assumes well-formed input (the national sample, `--no-flawed`): a file it cannot read raises.
Its semantics are the warehouse's (report-format.md, dbt intermediate models):
- the newest submission per (unit, year, form) wins: by `Ngày lập báo cáo` when every
  submission of the group carries one, otherwise by the one received later (file mtime, name);
- the unit total of an indicator is the total row where the report has one, else the sum of the
  sub-unit rows (rates are never summed);
- rates in the facts are recomputed from the counts (unrounded); the unit's own figure is kept
  as reported_*.
So on the same input its fact tables equal the warehouse's (`compare_facts`).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from ingest.forms import FORM_COLUMNS
from ingest.reference import Registry, load_registry
from ingest.text import normalise_key

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
CSV_SUFFIXES = frozenset({".csv"})
CSV_COLUMNS = {name: "VARCHAR" for name in
               ("unit_code", "year", "form", "subunit", "indicator", "value")}

DISSEMINATION_COUNTS = ("sessions", "attendees", "documents", "legal_reporters",
                        "legal_propagandists")
MEDIATION_COUNTS = ("teams", "mediators", "cases_received", "cases_successful",
                    "cases_unsuccessful", "cases_pending")
ENFORCEMENT_COUNTS = ("carried_over", "new", "accepted", "entrusted", "revoked", "to_enforce",
                      "eligible", "not_eligible", "completed", "terminated", "resolved",
                      "carried_forward")

# The contract columns of warehouse-contract.md, in contract order: what the floor computes and
# what `warehouse_facts` reads back for comparison.
FACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_dissemination": ("province_code", "year", "unit_code", *DISSEMINATION_COUNTS),
    "fct_mediation": ("province_code", "year", "unit_code", *MEDIATION_COUNTS, "success_rate",
                      "reported_success_rate"),
    "fct_enforcement": (
        "province_code", "year", "unit_code",
        *(f"cases_{c}" for c in ENFORCEMENT_COUNTS), "case_resolution_rate",
        "reported_case_resolution_rate",
        *(f"money_{c}" for c in ENFORCEMENT_COUNTS), "money_resolution_rate",
        "reported_money_resolution_rate",
    ),
}

_META_LABELS = {"don vi bao cao": "name", "ma don vi": "code", "nam bao cao": "year",
                "ngay lap bao cao": "date"}
_TOTAL_LABELS = frozenset({"tong cong", "tong so", "tong"})
_COLUMN_NUMBER = re.compile(r"\(\s*(\d{1,2})\s*\)")
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


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


# ---------------------------------------------------------------------------------------------
# Workbooks


class _Columns:
    """Column-wise buffers for the workbook figures (cheaper than a list of tuples)."""

    names = ("file_id", "unit_code", "year", "form", "report_date", "is_total", "indicator",
             "value_num", "value_text")

    def __init__(self) -> None:
        self.data: dict[str, list[object]] = {name: [] for name in self.names}

    def add(self, *row: object) -> None:
        for name, value in zip(self.names, row, strict=True):
            self.data[name].append(value)

    def table(self) -> pa.Table:
        types = {"file_id": pa.int32(), "unit_code": pa.string(), "year": pa.int32(),
                 "form": pa.string(), "report_date": pa.date32(), "is_total": pa.bool_(),
                 "indicator": pa.string(), "value_num": pa.float64(),
                 "value_text": pa.string()}
        return pa.table({name: pa.array(self.data[name], type=types[name])
                         for name in self.names})

    def __len__(self) -> int:
        return len(self.data["file_id"])


def _form_of_sheet(sheet_name: str) -> str | None:
    key = normalise_key(sheet_name)
    if key.startswith("bieu "):
        key = key[5:]
    form = key.upper().replace(" ", "_")
    return form if form in FORM_COLUMNS else None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _year_of(raw: object) -> int:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return int(raw)
    found = _YEAR.search(str(raw))
    if found is None:
        raise ValueError(f"no year in {raw!r}")
    return int(found.group(1))


def _date_of(raw: object) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    found = _DMY.search(str(raw))
    if found is None:
        return None
    return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))


class _UnitResolver:
    """Unit name -> unit code for a year, each distinct (name, year) resolved once."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.cache: dict[tuple[str, int], str] = {}

    def code(self, name: str, year: int) -> str:
        key = (name, year)
        if key not in self.cache:
            unit = self.registry.resolve_name(name, year)
            if unit is None:
                raise ValueError(f"unit name {name!r} does not resolve for {year}")
            self.cache[key] = unit.unit_code
        return self.cache[key]


def _read_sheet(rows: list[list[object]], form: str, file_id: int, resolver: _UnitResolver,
                out: _Columns) -> None:
    """Metadata lines, the column-number row, then data rows until a blank row or a footer."""
    meta: dict[str, object] = {}
    header_at = -1
    for index, row in enumerate(rows):
        filled = [i for i, v in enumerate(row) if not _blank(v)]
        if not filled:
            continue
        first = row[filled[0]]
        if isinstance(first, str) and _COLUMN_NUMBER.fullmatch(first.strip()):
            header_at = index
            break
        if isinstance(first, str) and len(filled) > 1:
            label = _META_LABELS.get(normalise_key(first))
            if label is not None and label not in meta:
                meta[label] = row[filled[1]]
    if header_at < 0:
        raise ValueError(f"sheet {form} of file {file_id} has no column-number row")
    year = _year_of(meta["year"])
    code = str(meta["code"]).strip() if "code" in meta else resolver.code(
        " ".join(str(meta["name"]).split()), year)
    report_date = _date_of(meta["date"]) if "date" in meta else None
    columns = FORM_COLUMNS[form]
    name_col = -1
    indicator_cols: list[tuple[int, str]] = []
    for col, cell in enumerate(rows[header_at]):
        found = _COLUMN_NUMBER.fullmatch(str(cell).strip()) if isinstance(cell, str) else None
        if found is None:
            continue
        number = int(found.group(1))
        if number == 1:
            name_col = col
        elif number in columns:
            indicator_cols.append((col, columns[number]))
    if name_col < 0:
        raise ValueError(f"sheet {form} of file {file_id} has no column (1)")
    for row in rows[header_at + 1:]:
        if all(_blank(v) for v in row):
            break
        label = row[name_col] if name_col < len(row) else None
        label_key = normalise_key(label) if isinstance(label, str) else ""
        if label_key.startswith("nguoi lap bieu"):
            break
        is_total = label_key in _TOTAL_LABELS
        for col, indicator in indicator_cols:
            value = row[col] if col < len(row) else None
            if _blank(value):
                continue  # an empty cell is "not reported", not zero
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.add(file_id, code, year, form, report_date, is_total, indicator,
                        float(value), None)
            else:
                out.add(file_id, code, year, form, report_date, is_total, indicator,
                        None, str(value))


def _read_workbook(path: Path, file_id: int, resolver: _UnitResolver, out: _Columns) -> None:
    workbook = CalamineWorkbook.from_path(str(path))
    for sheet_name in workbook.sheet_names:
        form = _form_of_sheet(sheet_name)
        if form is None:
            continue  # instructions, notes
        rows = workbook.get_sheet_by_name(sheet_name).to_python()
        _read_sheet(rows, form, file_id, resolver, out)


# ---------------------------------------------------------------------------------------------
# CSV


def _csv_text(data: bytes) -> tuple[str | None, str]:
    """(decoded text if DuckDB cannot read the bytes as they are, else None; delimiter)."""
    head = data[:4096].split(b"\n", 1)[0]
    delimiter = ";" if head.count(b";") > head.count(b",") else ","
    if data.startswith(b"\xef\xbb\xbf"):
        return None, delimiter
    try:
        data.decode("utf-8")
        return None, delimiter
    except UnicodeDecodeError:
        return data.decode("cp1258"), delimiter


def _read_csvs(con: duckdb.DuckDBPyConnection, paths: list[tuple[int, Path]],
               scratch: Path) -> int:
    """Load every CSV into the table csv_rows(file_id, unit_code, …, value); returns its rows.

    Files are grouped by delimiter so each group is one read_csv call over a list of files.
    Windows-1258 files are decoded here and handed to DuckDB as UTF-8 text in `scratch`.
    """
    groups: dict[str, list[str]] = {}
    file_of: dict[str, int] = {}
    for file_id, path in paths:
        data = path.read_bytes()
        text, delimiter = _csv_text(data)
        target = path
        if text is not None:
            target = scratch / f"{file_id}.csv"
            target.write_text(text, encoding="utf-8")
        groups.setdefault(delimiter, []).append(str(target))
        file_of[str(target)] = file_id
    con.execute("create or replace temp table csv_files (path varchar, file_id integer)")
    con.executemany("insert into csv_files values (?, ?)", list(file_of.items()))
    con.execute("create or replace temp table csv_rows (file_id integer, unit_code varchar, "
                "year varchar, form varchar, subunit varchar, indicator varchar, "
                "value varchar)")
    for delimiter, files in groups.items():
        con.execute(
            "insert into csv_rows select f.file_id, c.unit_code, c.year, c.form, c.subunit, "
            "c.indicator, c.value "
            "from read_csv($files, delim = $delim, quote = '\"', header = true, "
            "columns = $columns, auto_detect = false, filename = true) c "
            "join csv_files f on f.path = c.filename",
            {"files": files, "delim": delimiter, "columns": CSV_COLUMNS},
        )
    return con.execute("select count(*) from csv_rows").fetchall()[0][0]


# ---------------------------------------------------------------------------------------------
# The one SQL statement


def _struct_list(table: str) -> str:
    columns = ", ".join(f"'{c}': {c}" for c in FACT_COLUMNS[table])
    # identifiers from FACT_COLUMNS only
    return (f"(select coalesce(list({{{columns}}} order by province_code, year, unit_code), "  # noqa: S608
            f"[]) from {table})")


def _pivot(indicators: Iterable[str], form: str, prefix: str = "") -> str:
    return ",\n        ".join(
        f"max(value) filter (where form = '{form}' and indicator = '{i}') as {prefix}{i}"
        for i in indicators)


def _rate(numerator: str, denominator: str) -> str:
    return (f"case when {denominator} is null or {denominator} = 0 then null "
            f"else 100.0::double * {numerator} / {denominator} end")


# Text figures the Vietnamese way ("27.430", "89,68", "83,44%") or the machine way ("89.68").
_GROUPED = r"[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?"

# Built once from this module's constants (form codes, indicator names): no input goes in.
FACTS_SQL = f"""
with figures as (
    select file_id, unit_code, year, form, report_date, is_total, indicator, value_num,
           value_text
    from wb_values
    union all
    select file_id, trim(unit_code), cast(trim(year) as integer), upper(trim(form)),
           null::date, coalesce(trim(subunit), '') = '', trim(indicator), null::double, value
    from csv_rows
    where indicator is not null and coalesce(trim(value), '') <> ''
),
parsed as (
    select *, coalesce(value_num, case
        when regexp_full_match(t, '{_GROUPED}')
            then cast(replace(replace(t, '.', ''), ',', '.') as double)
        else cast(replace(t, ',', '.') as double) end) as value
    from (select *, replace(trim(value_text), '%', '') as t from figures)
),
submissions as (
    select p.file_id, p.unit_code, p.year, p.form, any_value(p.report_date) as report_date,
           any_value(f.mtime_ns) as mtime_ns, any_value(f.name) as name
    from parsed p join floor_files f on f.file_id = p.file_id
    group by p.file_id, p.unit_code, p.year, p.form
),
dated as (
    select *, bool_and(report_date is not null) over (partition by unit_code, year, form)
              as all_dated
    from submissions
),
winners as (
    select file_id, unit_code, year, form from (
        select *, row_number() over (
            partition by unit_code, year, form
            order by case when all_dated then report_date end desc nulls last,
                     mtime_ns desc, name desc) as submission_rank
        from dated)
    where submission_rank = 1
),
unit_totals as materialized (
    select p.unit_code, p.year, p.form, p.indicator,
           case when bool_or(p.is_total) then max(p.value) filter (where p.is_total)
                when p.indicator in ('success_rate', 'resolution_rate') then null
                else sum(p.value) filter (where not p.is_total) end as value
    from parsed p
    join winners w on w.file_id = p.file_id and w.unit_code = p.unit_code
                  and w.year = p.year and w.form = p.form
    group by p.unit_code, p.year, p.form, p.indicator
),
unit_year as materialized (
    select t.unit_code, t.year, u.province_code,
        {_pivot(DISSEMINATION_COUNTS, 'PBGDPL')},
        count(*) filter (where form = 'PBGDPL') > 0 as has_pbgdpl,
        {_pivot(MEDIATION_COUNTS, 'HOAGIAI')},
        max(value) filter (where form = 'HOAGIAI' and indicator = 'success_rate')
            as reported_success_rate,
        count(*) filter (where form = 'HOAGIAI') > 0 as has_hoagiai,
        {_pivot(ENFORCEMENT_COUNTS, 'THADS_VIEC', 'cases_')},
        max(value) filter (where form = 'THADS_VIEC' and indicator = 'resolution_rate')
            as reported_case_resolution_rate,
        {_pivot(ENFORCEMENT_COUNTS, 'THADS_TIEN', 'money_')},
        max(value) filter (where form = 'THADS_TIEN' and indicator = 'resolution_rate')
            as reported_money_resolution_rate,
        count(*) filter (where form in ('THADS_VIEC', 'THADS_TIEN')) > 0 as has_thads
    from unit_totals t
    join floor_units u on u.unit_code = t.unit_code and u.year = t.year
    group by t.unit_code, t.year, u.province_code
),
fct_dissemination as (
    select * from unit_year where has_pbgdpl
),
fct_mediation as (
    select *, {_rate('cases_successful', 'cases_received')} as success_rate
    from unit_year where has_hoagiai
),
fct_enforcement as (
    select *, {_rate('cases_resolved', 'cases_eligible')} as case_resolution_rate,
              {_rate('money_resolved', 'money_eligible')} as money_resolution_rate
    from unit_year where has_thads
)
select {_struct_list('fct_dissemination')} as fct_dissemination,
       {_struct_list('fct_mediation')} as fct_mediation,
       {_struct_list('fct_enforcement')} as fct_enforcement
"""  # noqa: S608


# ---------------------------------------------------------------------------------------------
# Entry point


def report_files(inbox: Path) -> list[Path]:
    """Every report file under the inbox as the load sees it: regular, not hidden, sorted."""
    return [p for p in sorted(Path(inbox).rglob("*"))
            if p.is_file() and not p.is_symlink() and not p.name.startswith((".", "~$"))]


def run_floor(inbox: Path, *, registry: Registry | None = None,
              threads: int | None = None) -> FloorResult:
    """Parse every file of `inbox` once and compute the three fact tables (see module doc)."""
    started = time.perf_counter()
    registry = registry if registry is not None else load_registry()
    resolver = _UnitResolver(registry)
    files = report_files(inbox)
    con = duckdb.connect()
    if threads is not None:
        con.execute(f"set threads = {int(threads)}")
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="tuphap-floor-") as scratch:
            wb_values = _Columns()
            csv_paths: list[tuple[int, Path]] = []
            file_rows = []
            workbooks = 0
            for file_id, path in enumerate(files):
                stat = path.stat()
                file_rows.append((file_id, path.relative_to(inbox).as_posix(),
                                  stat.st_mtime_ns))
                suffix = path.suffix.lower()
                if suffix in WORKBOOK_SUFFIXES:
                    _read_workbook(path, file_id, resolver, wb_values)
                    workbooks += 1
                elif suffix in CSV_SUFFIXES:
                    csv_paths.append((file_id, path))
                else:
                    raise ValueError(f"not a report file: {path}")
            timings["workbooks_seconds"] = time.perf_counter() - started
            mark = time.perf_counter()
            csv_values = _read_csvs(con, csv_paths, Path(scratch))
            timings["csv_seconds"] = time.perf_counter() - mark
            mark = time.perf_counter()
            con.register("wb_values", wb_values.table())
            con.register("floor_files", pa.table({
                "file_id": pa.array([r[0] for r in file_rows], pa.int32()),
                "name": pa.array([r[1] for r in file_rows], pa.string()),
                "mtime_ns": pa.array([r[2] for r in file_rows], pa.int64()),
            }))
            years = sorted(set(wb_values.data["year"]) | {
                int(y) for (y,) in con.execute(
                    "select distinct cast(trim(year) as integer) from csv_rows").fetchall()})
            units = [(u.unit_code, year, u.province_code)
                     for year in years for u in registry.units_for_year(year)]
            con.register("floor_units", pa.table({
                "unit_code": pa.array([u[0] for u in units], pa.string()),
                "year": pa.array([u[1] for u in units], pa.int32()),
                "province_code": pa.array([u[2] for u in units], pa.string()),
            }))
            timings["handover_seconds"] = time.perf_counter() - mark
            parse_seconds = time.perf_counter() - started
            mark = time.perf_counter()
            row = con.execute(FACTS_SQL).fetchall()[0]
            sql_seconds = time.perf_counter() - mark
    finally:
        con.close()
    facts = {name: list(rows) for name, rows in zip(FACT_COLUMNS, row, strict=True)}
    return FloorResult(facts, len(files), workbooks, len(csv_paths),
                       len(wb_values) + csv_values, parse_seconds, sql_seconds, timings)


# ---------------------------------------------------------------------------------------------
# Comparing with the warehouse


def warehouse_facts(warehouse: Path) -> dict[str, list[dict[str, object]]]:
    """The contract columns of the three fact tables of a warehouse file, in the floor's order.

    The marts may live in any schema (warehouse-contract.md); the table name is unique.
    """
    out: dict[str, list[dict[str, object]]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, columns in FACT_COLUMNS.items():
            found = con.execute(
                "select table_schema from information_schema.tables where table_name = ? "
                "order by table_schema", [table]).fetchall()
            if not found:
                raise LookupError(f"{warehouse} has no table {table}")
            # identifiers come from FACT_COLUMNS and information_schema, never from input
            schema = found[0][0].replace('"', '""')
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}" '  # noqa: S608
                               "order by province_code, year, unit_code").fetchall()
            out[table] = [dict(zip(columns, r, strict=True)) for r in rows]
    return out


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return str(a) == str(b)


def _keyed(rows: list[dict[str, object]]) -> dict[tuple[str, int], dict[str, object]]:
    return {(str(r["province_code"]), int(r["year"])): r for r in rows}


def compare_facts(expected: dict[str, list[dict[str, object]]],
                  actual: dict[str, list[dict[str, object]]], *, limit: int = 20) -> list[str]:
    """Differences between two sets of fact tables, at most `limit` lines (empty: equal)."""
    problems: list[str] = []
    for table, columns in FACT_COLUMNS.items():
        left, right = _keyed(expected.get(table, [])), _keyed(actual.get(table, []))
        for key in sorted(left.keys() ^ right.keys()):
            side = "only in expected" if key in left else "only in actual"
            problems.append(f"{table} {key[0]}/{key[1]}: {side}")
        for key in sorted(left.keys() & right.keys()):
            for column in columns:
                if not _same(left[key][column], right[key][column]):
                    problems.append(f"{table} {key[0]}/{key[1]} {column}: "
                                    f"{left[key][column]!r} != {right[key][column]!r}")
    return problems[:limit] if limit else problems

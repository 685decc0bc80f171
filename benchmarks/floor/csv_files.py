"""The floor's CSV reader: DuckDB read_csv, one call per delimiter over a list of files.

DuckDB reads UTF-8 only, so Windows-1258 files are decoded in Python first and handed over as
UTF-8 text in a scratch folder.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

CSV_SUFFIXES = frozenset({".csv"})
CSV_COLUMNS = {name: "VARCHAR" for name in
               ("unit_code", "year", "form", "subunit", "indicator", "value")}


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


def read_csvs(con: duckdb.DuckDBPyConnection, paths: list[tuple[int, Path]],
              scratch: Path) -> int:
    """Load every CSV into the table csv_rows(file_id, unit_code, …, value); returns its rows.

    Files are grouped by delimiter so each group is one read_csv call over a list of files.
    Windows-1258 files are decoded here and handed to DuckDB as UTF-8 text in `scratch`.
    """
    groups: dict[str, list[str]] = {}
    file_of: dict[str, int] = {}
    for file_id, path in paths:
        data = path.read_bytes()
        if b"decision_number" in data[:4096].split(b"\n", 1)[0]:
            continue  # a targets decision, not a report: the floor computes the three facts
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

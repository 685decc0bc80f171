"""The long CSV of report-format.md: unit_code,year,form,subunit,indicator,value."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ingest.forms import RATE_INDICATORS
from ingest.safe_text import neutralise_cell
from ingest.sample.writers.content import Block, CsvDialect, Overrides, Row
from ingest.sample.writers.cp1258 import to_cp1258
from ingest.sample.writers.numbers import columns_of, rate_for, vn_decimal, vn_int


def csv_bytes(unit_code: str, year: int, blocks: Sequence[Block], dialect: CsvDialect,
              overrides: Overrides | None = None) -> bytes:
    """The long CSV of report-format.md: unit_code,year,form,subunit,indicator,value."""
    overrides = overrides or {}
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=dialect.delimiter, lineterminator=dialect.line_terminator)
    writer.writerow(["unit_code", "year", "form", "subunit", "indicator", "value"])
    for block in blocks:
        for index, row in enumerate(block.rows):
            subunit = "" if row.is_total else row.label
            for _, indicator in columns_of(block.form):
                key = (block.form, index, indicator)
                text = overrides[key] if key in overrides else _figure(row, indicator, dialect)
                if text is None:
                    continue
                # Text from reports (sub-unit names, figures typed by hand) must never run as a
                # formula when someone opens the CSV in a spreadsheet program.
                writer.writerow([neutralise_cell(unit_code), year, neutralise_cell(block.form),
                                 neutralise_cell(subunit), indicator, neutralise_cell(text)])
    text = buf.getvalue()
    if dialect.encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(dialect.encoding)


def _figure(row: Row, indicator: str, dialect: CsvDialect) -> str | None:
    """One value as the export prints it; None for a rate with nothing to divide by."""
    if indicator in RATE_INDICATORS:
        value = rate_for(indicator, row.counts, dialect.rate_decimals)
        if value is None:
            return None
        return vn_decimal(value) if dialect.vn_numbers else f"{value:f}"
    count = row.counts[indicator]
    return vn_int(count) if dialect.vn_numbers else str(count)


def write_csv(path: Path, unit_code: str, year: int, blocks: Sequence[Block],
              dialect: CsvDialect, overrides: Overrides | None = None) -> None:
    path.write_bytes(csv_bytes(unit_code, year, blocks, dialect, overrides))

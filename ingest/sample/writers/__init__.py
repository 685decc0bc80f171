"""Writers of the unit report format (report-format.md): workbooks and long CSV.

They render figures the way provincial officers' files look: title and metadata lines above the
table, a row of column labels and a row of column numbers "(1)", "(2)" …, sub-unit rows and a
total row, a signature footer; or the machine export in long CSV. Output bytes are
deterministic: the same figures always give the same file.

- `content`: what a writer is given (blocks of rows, the report, a unit's layout or CSV dialect);
- `wording`: titles, column labels, instructions, the synthetic-data note;
- `numbers`: which columns a unit prints, rates, figures the Vietnamese way;
- `sheet`: one form's worksheet as a grid of values; `xlsx`: the workbook file;
- `long_csv` and `cp1258`: the CSV export, including Windows-1258.
"""

from ingest.sample.writers.content import Block, CsvDialect, Layout, Row, WorkbookReport
from ingest.sample.writers.cp1258 import to_cp1258
from ingest.sample.writers.long_csv import csv_bytes, write_csv
from ingest.sample.writers.numbers import columns_of, vn_decimal, vn_int
from ingest.sample.writers.xlsx import workbook_bytes, write_xlsx

__all__ = [
    "Block", "CsvDialect", "Layout", "Row", "WorkbookReport", "columns_of", "csv_bytes",
    "to_cp1258", "vn_decimal", "vn_int", "workbook_bytes", "write_csv", "write_xlsx",
]

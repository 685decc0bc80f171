"""Reading workbooks (.xlsx, .xls, .ods) into the raw tables of report-format.md.

One job per module, in the order a file goes through them:
- guards.py: a zip-based workbook is refused if it would inflate or expand beyond the limits,
  before the native reader allocates anything;
- reader.py: calamine reads every worksheet into a grid (.xls in a child process, since a
  damaged .xls can abort the native reader);
- layout.py: which sheet is which form, its metadata lines and its table, as raw cells;
- cells.py: A1 addresses and the grid type the others share.

Checking the values and the unit is ingest.parse's job, so the same checks serve the CSV
reader. The names below are the package's public interface.
"""

from ingest.workbook.cells import SheetGrid, cell_ref, column_letters, sheet_ref, sheet_where
from ingest.workbook.guards import check_zip_workbook
from ingest.workbook.layout import (
    META_LABELS,
    MetaField,
    RawRow,
    SheetTable,
    column_number,
    find_column_row,
    form_for_sheet_name,
    is_targets_sheet,
    is_total_label,
    looks_like_report_table,
    read_metadata,
    read_table,
)
from ingest.workbook.reader import is_native_panic, read_workbook, read_workbook_in_process

__all__ = [
    "META_LABELS",
    "MetaField",
    "RawRow",
    "SheetGrid",
    "SheetTable",
    "cell_ref",
    "check_zip_workbook",
    "column_letters",
    "column_number",
    "find_column_row",
    "form_for_sheet_name",
    "is_native_panic",
    "is_targets_sheet",
    "is_total_label",
    "looks_like_report_table",
    "read_metadata",
    "read_table",
    "read_workbook",
    "read_workbook_in_process",
    "sheet_ref",
    "sheet_where",
]

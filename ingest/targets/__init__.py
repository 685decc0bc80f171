"""Targets decisions (quyết định giao chỉ tiêu): the `CHITIEU` workbook and the long CSV of
report-format.md ("Targets").

A decision reaches the warehouse like a report: it is received, archived and parsed by
ingest.parse.parse_file, which tells a decision from a report by its CHITIEU sheet or its CSV
header and hands it here. It is accepted whole or rejected whole, with a message naming the
file, the sheet and cell or the CSV line. Scope is not checked here: a decision may name units
outside the cluster (a national decision); the warehouse applies the targets of the units in
scope.

- rows.py: one row (unit or unit type, indicator, comparator, value), checked the same way
  from either kind of file;
- workbook.py: the CHITIEU sheet (its metadata lines and table, read by ingest.workbook);
- long_csv.py: the CSV, one decision per year.
"""

from ingest.targets.long_csv import parse_targets_csv
from ingest.targets.workbook import TARGET_META_LABELS, has_targets_sheet, parse_targets_workbook

__all__ = ["TARGET_META_LABELS", "has_targets_sheet", "parse_targets_csv",
           "parse_targets_workbook"]

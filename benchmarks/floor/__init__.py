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

Modules: `workbooks` and `csv_files` read, `sql` is the one statement, `compute` runs it all
(`run_floor`), `compare` checks the result against a warehouse.
"""

from benchmarks.floor.compare import compare_facts, warehouse_facts
from benchmarks.floor.compute import FloorResult, report_files, run_floor
from benchmarks.floor.sql import FACT_COLUMNS

__all__ = ["FACT_COLUMNS", "FloorResult", "compare_facts", "report_files", "run_floor",
           "warehouse_facts"]

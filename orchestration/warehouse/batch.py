"""Rows a load adds to the raw tables in one go, kept column by column.

A national load writes ~280.000 figures: a batch keeps each table's rows as one list per
column, cheap to add to and written by the engine in bulk (DuckDB scans the columns as NumPy
arrays; PostgreSQL streams them with COPY). Which columns each table has is the raw layer's
business (orchestration/ingest/rows.py); the engine writes a batch's values by column name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Columns:
    """Rows of one raw table, kept column by column."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.data: dict[str, list] = {name: [] for name in names}

    def __len__(self) -> int:
        return len(self.data[self.names[0]])

    def append(self, row: Mapping[str, Any]) -> None:
        for name, column in self.data.items():
            column.append(row[name])

    def extend(self, columns: Mapping[str, list]) -> None:
        for name, column in self.data.items():
            column.extend(columns[name])


@dataclass
class RawBatch:
    """Rows to add to the raw tables in one transaction: received files, their receipts (file
    names seen), submissions and their figures, targets decisions and their rows. Rows with the
    keys of rows the tables hold replace them (received files by sha256, submissions and
    figures by submission_id, decisions and their rows by decision_id)."""

    received: Columns
    receipts: Columns
    submissions: Columns
    values: Columns
    decisions: Columns  # targets decisions, and their rows
    targets: Columns

    @property
    def empty(self) -> bool:
        return not (len(self.received) or len(self.receipts) or len(self.submissions)
                    or len(self.decisions))

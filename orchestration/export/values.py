"""How a warehouse value becomes a cell: its kind, and its text in a CSV file.

Both formats keep the warehouse's figures exactly: whole numbers as they are, rates unrounded
(CSV writes the shortest text that reads back as the same double). Text is never left where a
spreadsheet would run it as a formula: CSV text goes through ingest.safe_text.neutralise_cell
(OWASP's leading apostrophe), the xlsx writer uses Excel's quote prefix (safe_text explains
both). Times are written in UTC, as the warehouse stores them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ingest.safe_text import neutralise_cell

KINDS_VI = {
    "int": "số nguyên",
    "float": "số thập phân",
    "text": "văn bản",
    "date": "ngày",
    "datetime": "thời điểm (giờ UTC)",
    "bool": "đúng/sai",
    "list": "danh sách (phân cách bằng |)",
}
LIST_SEPARATOR = " | "


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, (float, Decimal)):
        return "float"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, (list, tuple)):
        return "list"
    return "text"


def column_kinds(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Each column's kind, from its first value that is not NULL ("text" if all are NULL)."""
    kinds: list[str | None] = [None] * len(columns)
    for row in rows:
        for i, value in enumerate(row):
            if kinds[i] is None and value is not None:
                kinds[i] = kind_of(value)
        if all(kinds):
            break
    return [k or "text" for k in kinds]


def utc_naive(value: datetime) -> datetime:
    """A time as UTC without its zone: spreadsheets have no time zones."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def number_text(value: float | Decimal) -> str:
    """The shortest decimal text that reads back as the same number, "." as the decimal mark
    and never an exponent: 89.67763266656067 -> "89.67763266656067", 1e-07 -> "0.0000001"."""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = repr(float(value))
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def list_text(value: Sequence[Any]) -> str:
    return LIST_SEPARATOR.join("" if v is None else str(v) for v in value)


def csv_field(value: Any) -> str:
    """One CSV field: numbers with "." decimals, ISO 8601 dates and times, inert text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return "" if isinstance(value, float) and not math.isfinite(value) else number_text(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return neutralise_cell(list_text(value))
    return neutralise_cell(str(value))


__all__ = ["KINDS_VI", "column_kinds", "csv_field", "kind_of", "list_text", "number_text",
           "utc_naive"]

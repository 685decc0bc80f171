"""What a writer is given: a unit's tables, the report around them, and the unit's habits.

Layout details vary by unit (a `Layout` / `CsvDialect` per unit) because the parser must cope
with the variety of real submissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Layout:
    """How one unit lays out its workbook; varies between units as real reports do."""

    sheet_prefix: str = ""  # "Biểu " -> sheet "Biểu THADS_VIEC"
    agency_header: tuple[str, str] | None = None  # ("UBND TỈNH HÀ GIANG", "SỞ TƯ PHÁP")
    meta_col: int = 1  # column of the metadata labels (1 = A)
    meta_gap: int = 1  # the value sits meta_gap columns right of its label
    year_as_text: bool = False  # "Năm 2022" instead of the number 2022
    date_as_text: bool = False  # "15/01/2024" instead of a date cell
    label_variant: bool = False  # the unit words its column labels its own way
    group_header: bool = False  # an extra header row with merged groups above the labels
    numbers_as_text: bool = False  # figures typed as text the Vietnamese way: "27.430"
    rate_decimals: int = 2
    rate_percent_sign: bool = False  # "84,82%" (text layouts only)
    omit: frozenset[str] = frozenset()  # optional columns the unit leaves out
    instructions: str | None = None  # "first" | "last": an "Hướng dẫn" sheet; None: none
    preparer: str = "Nguyễn Thị Hoa"
    head: str = "Hoàng Văn Thắng"


@dataclass(frozen=True)
class Row:
    label: str  # sub-unit name, or the total label as the unit writes it ("Tổng cộng")
    counts: Mapping[str, int]
    is_total: bool = False


@dataclass(frozen=True)
class Block:
    """One form's table: rows in report order."""

    form: str
    rows: tuple[Row, ...]


Overrides = Mapping[tuple[str, int, str], str]
"""(form, row index in the block, indicator) -> raw text written instead of the figure."""


@dataclass(frozen=True)
class WorkbookReport:
    unit_name: str | None
    unit_code: str | None
    year: int
    report_date: date | None
    blocks: tuple[Block, ...]
    layout: Layout = field(default_factory=Layout)
    period: str | None = None  # "(Từ ngày 01/01/2023 đến ngày 30/11/2023)"
    overrides: Overrides = field(default_factory=dict)


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1258"
    vn_numbers: bool = False  # "27.430", "89,68" instead of "27430", "89.68"
    rate_decimals: int = 2
    line_terminator: str = "\n"

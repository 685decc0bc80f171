"""What the parsers produce: plain, immutable values with no I/O attached.

A file yields either submissions (one per unit, year and form), or targets decisions (a
decision file: report-format.md, "Targets"), or one rejection. The
orchestration layer writes these to the warehouse's raw tables; nothing here touches disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)  # one per figure: ~280.000 in a national load
class ReportValue:
    """One figure of a report, where it was found and how precisely it was printed."""

    subunit: str | None  # None for the unit total (the "Tổng cộng" row, or CSV's empty subunit)
    subunit_order: int  # position of the row in the report: 0 for the total, 1.. for sub-units
    indicator: str  # indicator code of forms.py
    value: float  # whole numbers are exact (limited to 2**53)
    decimals: int  # digits printed after the decimal mark (rates: "85" -> 0, "89,68" -> 2)
    source_cell: str  # "THADS_VIEC!H12" for workbooks, "line 7" for CSV


@dataclass(frozen=True)
class Submission:
    """One unit's figures for one reporting year and one form, as one file carried them."""

    unit_code: str  # e.g. THADS-10, as valid in the report's year
    province_code: str
    year: int
    form: str
    report_date: date | None  # "Ngày lập báo cáo", when the report carries one
    unit_name_reported: str | None  # the "Đơn vị báo cáo" text as written
    sheet_name: str | None  # None for CSV
    values: tuple[ReportValue, ...]

    @property
    def has_total_row(self) -> bool:
        return any(v.subunit is None for v in self.values)


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One row of a targets decision: a unit's (or a unit type's) target for one indicator."""

    unit: str  # a unit code valid in the decision's year (THADS-10), or a unit type (THADS)
    unit_type: str  # STP | THADS
    indicator: str  # forms.TARGET_INDICATORS
    comparator: str  # "trên" (strictly above) | "từ" (at least)
    value: float  # a percentage, 0-100
    decimals: int  # digits printed after the decimal mark ("81,50" -> 2)
    source_cell: str  # "CHITIEU!D9" for workbooks, "line 7" for CSV

    @property
    def is_type_wide(self) -> bool:
        """A row for every unit of its type in scope (a unit's own row overrides it)."""
        return self.unit == self.unit_type


@dataclass(frozen=True)
class TargetDecision:
    """A decision assigning targets (quyết định giao chỉ tiêu) for one reporting year."""

    decision_number: str  # "Số quyết định", e.g. 1234/QĐ-TCTHADS
    decision_date: date | None  # "Ngày quyết định"
    issuer: str | None  # "Cơ quan giao"
    year: int  # the reporting year the targets are for
    sheet_name: str | None  # None for CSV
    rows: tuple[TargetRow, ...]

    @property
    def unit_types(self) -> tuple[str, ...]:
        return tuple(sorted({row.unit_type for row in self.rows}))


@dataclass(frozen=True)
class Rejection:
    """Why a whole file cannot be loaded, in words a provincial officer can act on."""

    code: str  # stable machine code, e.g. "not_a_number", "unit_out_of_scope"
    message: str  # Vietnamese, names the file, the sheet and cell or CSV line, and what is wrong
    year: int | None = None  # when it could be determined, so the rejection has a year too
    unit_code: str | None = None


@dataclass(frozen=True)
class ParseResult:
    """The outcome of reading one received file."""

    file_kind: str  # xlsx | xls | ods | csv | unknown
    submissions: tuple[Submission, ...] = ()
    rejection: Rejection | None = None
    warnings: tuple[str, ...] = field(default=())  # for the data team's log, English
    decisions: tuple[TargetDecision, ...] = ()  # a targets decision file: never submissions too

    @property
    def years(self) -> tuple[int, ...]:
        if self.rejection is not None:
            return (self.rejection.year,) if self.rejection.year is not None else ()
        return tuple(sorted({s.year for s in self.submissions}
                            | {d.year for d in self.decisions}))

"""What the yearly report is made of, as plain data read once from the warehouse.

Everything the report says comes from these records; nothing downstream talks to the database,
so the wording, the tables and the charts are pure functions that tests feed directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

Counts = dict[str, int | None]
"""Indicator (a public column name: `sessions`, `cases_eligible`, `money_resolved`) -> value."""


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # as in dim_province: "Tỉnh Hà Giang"

    @property
    def short_name(self) -> str:
        """The name as a table prints it: "Hà Giang", "Hà Nội"."""
        for prefix in ("Thành phố ", "Tỉnh "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


@dataclass(frozen=True)
class YearTotals:
    """One row of rpt_cluster_year / rpt_national_year: the scope's totals of one year."""

    year: int
    member_codes: tuple[str, ...]
    reporting_codes: tuple[str, ...]
    counts: Counts


@dataclass(frozen=True)
class ReportedRate:
    """A rate as the unit printed it, with the number of decimals it printed."""

    value: float
    decimals: int


@dataclass(frozen=True)
class FactRow:
    """One province's figures of one domain for the report's year (a fct_* row)."""

    province_code: str
    unit_code: str
    counts: Counts
    reported_rates: dict[str, ReportedRate] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundaryRow:
    """One row of a *_current_boundaries mart: a current province's territory in one year."""

    current_code: str
    current_name: str
    year: int
    counts: Counts
    source_codes: tuple[str, ...]
    complete: bool


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    unit_type: str  # STP | THADS
    province_code: str


@dataclass(frozen=True)
class Issue:
    """An issue of dq_issues for the report's year (open or acknowledged)."""

    rule_id: str
    severity: str  # error | warn
    status: str
    form: str | None
    unit_code: str | None
    unit_name: str | None
    province_code: str | None
    message: str
    values: dict[str, Any]
    details: dict[str, Any]


@dataclass(frozen=True)
class Rejection:
    source_file: str
    reason: str
    unit_code: str | None
    received_at: datetime | None


@dataclass(frozen=True)
class Submission:
    """A file whose figures the report uses: one unit's winning report of one form."""

    unit_code: str
    form: str
    source_file: str
    sha256: str
    loaded_at: datetime | None
    report_date: date | None


@dataclass(frozen=True)
class ReportData:
    """Everything one yearly report needs, read from the warehouse in one go."""

    year: int
    scope: str  # cluster | national
    totals: YearTotals
    history: tuple[YearTotals, ...]  # every year up to `year` that has data, oldest first
    provinces: dict[str, Province]  # code -> the province it named in the report's year
    previous_provinces: dict[str, Province]  # code -> the province it named the year before
    facts: dict[str, tuple[FactRow, ...]]  # domain (dissemination|mediation|enforcement) -> rows
    boundaries: dict[int, dict[str, tuple[BoundaryRow, ...]]]  # year (N, N-1) -> domain -> rows
    units: tuple[Unit, ...]  # the units expected to report for the year
    issues: tuple[Issue, ...]
    rejections: tuple[Rejection, ...]
    rejections_without_year: int
    submissions: tuple[Submission, ...]
    files_received: int  # distinct files that carried figures of the year (winning or not)
    loaded_at: datetime | None  # the last time the warehouse received a file: the report's clock
    synthetic_files: int = 0  # how many of `submissions`' files are the sample's (synthetic)

    @property
    def members(self) -> tuple[Province, ...]:
        return tuple(self.provinces[code] for code in self.totals.member_codes)

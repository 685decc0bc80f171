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
class Unit:
    code: str
    name: str
    unit_type: str  # STP | THADS
    province_code: str


@dataclass(frozen=True)
class Issue:
    """An issue of dq_issues that is not resolved (open, explained or acknowledged)."""

    rule_id: str
    severity: str  # error | warn
    status: str  # open | explained | acknowledged
    form: str | None
    unit_code: str | None
    unit_name: str | None
    province_code: str | None
    message: str
    values: dict[str, Any]
    details: dict[str, Any]
    year: int = 0
    explanation: str | None = None  # the unit's own words (version 3), when it gave them
    fingerprint: str = ""


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
class Target:
    """One row of fct_target_achievement: a unit's target for one rate, and whether it was met."""

    unit_code: str
    province_code: str
    indicator: str  # case_resolution_rate | money_resolution_rate | success_rate
    comparator: str  # "trên" (strictly above) | "từ" (at least)
    target: float
    actual: float | None
    margin: float | None  # actual − target, percentage points
    achieved: bool | None  # None when the unit did not report
    decision_number: str | None
    decision_date: date | None


@dataclass(frozen=True)
class Deadline:
    """One row of rpt_submissions: an expected form of a unit, and when it arrived."""

    unit_code: str
    province_code: str
    form: str
    due_date: date | None
    first_received_at: datetime | None
    last_received_at: datetime | None
    corrections: int
    on_time: bool | None
    days_late: int | None
    status: str  # missing | received | rejected only


@dataclass(frozen=True)
class Issuer:
    """The issuing block, from the data team's configuration (issuer.py); None fields are
    left blank on the page, and a report without an issuing body is a draft."""

    body: str | None = None
    parent: str | None = None
    number: str | None = None
    place: str | None = None
    issued_on: date | None = None
    contact: str | None = None

    @property
    def draft(self) -> bool:
        return not self.body


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
    previous_facts: dict[str, tuple[FactRow, ...]]  # the same for N-1, every province that year
    units: tuple[Unit, ...]  # the units expected to report for the year
    issues: tuple[Issue, ...]  # the year's issues that are not resolved
    past_errors: tuple[Issue, ...]  # unresolved errors of earlier years (base year, trends)
    rejections: tuple[Rejection, ...]
    rejections_without_year: int
    submissions: tuple[Submission, ...]
    files_received: int  # distinct files that carried figures of the year (winning or not)
    loaded_at: datetime | None  # the last time the warehouse received a file: the report's clock
    # year (N-1, N) -> province -> the pre-merger provinces its land was made of (read.atoms_of)
    atoms: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)
    territories: dict[int, frozenset[str]] = field(default_factory=dict)  # year -> the scope's
    targets: tuple[Target, ...] | None = None  # None: the warehouse has no targets table
    deadlines: tuple[Deadline, ...] | None = None  # None: the warehouse has no rpt_submissions
    issuer: Issuer = field(default_factory=Issuer)
    synthetic_files: int = 0  # how many of `submissions`' files are the sample's (synthetic)

    @property
    def members(self) -> tuple[Province, ...]:
        return tuple(self.provinces[code] for code in self.totals.member_codes)


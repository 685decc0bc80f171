"""Which printed figures an open ERROR issue touches, so the report can mark them (†).

An issue names its form and the indicators involved (`values` of dq_issues: the operands of a
row rule, or `{"indicator": ...}` for GEN-02). Those map to the public columns of the table of
that form; a rate is touched when one of its operands is; an issue that names no figure (GEN-01)
touches the province's row as a whole. The total row carries the marks of its provinces.

An error is open until it is resolved or acknowledged: a unit's explanation (status
`explained`) does not make its figure right. Marks are kept per year, because a change from
N-1 and a point of a trend rest on the figures of earlier years too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestration.report.model import Issue
from orchestration.report.read import DISSEMINATION, ENFORCEMENT_PARTS, MEDIATION

DAGGER = "†"

FORM_TABLE: dict[str, str] = {
    "PBGDPL": "dissemination",
    "HOAGIAI": "mediation",
    "THADS_VIEC": "enforcement_cases",
    "THADS_TIEN": "enforcement_money",
}
RATE_OPERANDS: dict[str, tuple[str, str]] = {
    "success_rate": ("cases_successful", "cases_received"),
    "case_resolution_rate": ("cases_resolved", "cases_eligible"),
    "money_resolution_rate": ("money_resolved", "money_eligible"),
}
WHOLE_ROW = "*"


def touched_columns(issue: Issue) -> frozenset[str]:
    """The public columns an issue's figures are, e.g. ENF-05 on THADS_VIEC ->
    {cases_eligible, cases_resolved, case_resolution_rate}; {"*"} when it names none."""
    names = {key for key in issue.values if key != "indicator"}
    if isinstance(issue.values.get("indicator"), str):
        names.add(issue.values["indicator"])
    columns = {column for name in names if (column := _column(issue.form, name))}
    columns |= {rate for rate, operands in RATE_OPERANDS.items()
                if columns & set(operands)}
    return frozenset(columns) or frozenset({WHOLE_ROW})


def _column(form: str | None, indicator: str) -> str | None:
    if form in ("THADS_VIEC", "THADS_TIEN"):
        kind = "cases" if form == "THADS_VIEC" else "money"
        if indicator == "resolution_rate":
            return "case_resolution_rate" if kind == "cases" else "money_resolution_rate"
        return f"{kind}_{indicator}" if indicator in ENFORCEMENT_PARTS else None
    if indicator in (*DISSEMINATION, *MEDIATION, "success_rate"):
        return indicator
    return None


def table_of(column: str) -> str:
    """The report table a public column is printed in."""
    if column.startswith("money_"):
        return "enforcement_money"
    if column.startswith("case_") or column.startswith("cases_") and column not in MEDIATION:
        return "enforcement_cases"
    return "mediation" if column in (*MEDIATION, "success_rate") else "dissemination"


@dataclass(frozen=True)
class ErrorMarks:
    """(table, province code) -> touched columns, from the open ERROR issues of one year."""

    cells: dict[tuple[str, str], frozenset[str]]
    issues: tuple[Issue, ...] = field(default=())

    @classmethod
    def from_issues(cls, issues: Iterable[Issue]) -> ErrorMarks:
        cells: dict[tuple[str, str], frozenset[str]] = {}
        kept = []
        for issue in issues:
            if not is_open_error(issue) or issue.form not in FORM_TABLE or not issue.province_code:
                continue
            key = (FORM_TABLE[issue.form], issue.province_code)
            cells[key] = cells.get(key, frozenset()) | touched_columns(issue)
            kept.append(issue)
        return cls(cells, tuple(kept))

    def row(self, table: str, province_code: str) -> bool:
        return bool(self.cells.get((table, province_code)))

    def cell(self, table: str, province_code: str, column: str) -> bool:
        touched = self.cells.get((table, province_code), frozenset())
        return column in touched or WHOLE_ROW in touched

    def any_of(self, codes: Iterable[str], column: str) -> bool:
        """Whether a figure adding up the provinces `codes` rests on an error."""
        table = table_of(column)
        return any(self.cell(table, code, column) for code in codes)

    def total(self, table: str, column: str) -> bool:
        """A total is touched when one of the provinces it adds up is."""
        return any(column in touched or WHOLE_ROW in touched
                   for (t, _), touched in self.cells.items() if t == table)

    def any_total(self, column: str) -> bool:
        return self.total(table_of(column), column)


@dataclass(frozen=True)
class YearMarks:
    """The marks of every year the report shows: N, the base year N-1, and the trend's years."""

    by_year: dict[int, ErrorMarks]

    @classmethod
    def from_issues(cls, issues: Iterable[Issue]) -> YearMarks:
        years: dict[int, list[Issue]] = {}
        for issue in issues:
            years.setdefault(issue.year, []).append(issue)
        return cls({year: ErrorMarks.from_issues(found) for year, found in years.items()})

    def of(self, year: int) -> ErrorMarks:
        return self.by_year.get(year) or ErrorMarks({})

    def errors(self) -> tuple[Issue, ...]:
        """Every issue behind a mark, newest year first (the footnote names them)."""
        return tuple(i for year in sorted(self.by_year, reverse=True)
                     for i in self.by_year[year].issues)


OPEN_STATUSES = ("open", "explained")


def is_open_error(issue: Issue) -> bool:
    """An error not resolved and not accepted by the data team (an explanation is not a fix)."""
    return issue.status in OPEN_STATUSES and issue.severity == "error"


def mark(text: str, touched: bool) -> str:
    return f"{text}{DAGGER}" if touched else text

"""Which printed figures an open ERROR issue touches, so the report can mark them (†).

An issue names its form and the indicators involved (`values` of dq_issues: the operands of a
row rule, or `{"indicator": ...}` for GEN-02). Those map to the public columns of the table of
that form; a rate is touched when one of its operands is; an issue that names no figure (GEN-01)
touches the province's row as a whole. The total row carries the marks of its provinces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ErrorMarks:
    """(table, province code) -> touched columns, from the open ERROR issues of the year."""

    cells: dict[tuple[str, str], frozenset[str]]

    @classmethod
    def from_issues(cls, issues: Iterable[Issue]) -> ErrorMarks:
        cells: dict[tuple[str, str], frozenset[str]] = {}
        for issue in issues:
            if not is_open_error(issue) or issue.form not in FORM_TABLE or not issue.province_code:
                continue
            key = (FORM_TABLE[issue.form], issue.province_code)
            cells[key] = cells.get(key, frozenset()) | touched_columns(issue)
        return cls(cells)

    def row(self, table: str, province_code: str) -> bool:
        return bool(self.cells.get((table, province_code)))

    def cell(self, table: str, province_code: str, column: str) -> bool:
        touched = self.cells.get((table, province_code), frozenset())
        return column in touched

    def total(self, table: str, column: str) -> bool:
        """A total is touched when one of the provinces it adds up is."""
        return any(column in touched for (t, _), touched in self.cells.items() if t == table)

    def any_total(self, column: str) -> bool:
        return any(self.total(table, column) for table in FORM_TABLE.values())


def is_open_error(issue: Issue) -> bool:
    return issue.status == "open" and issue.severity == "error"


def mark(text: str, touched: bool) -> str:
    return f"{text}{DAGGER}" if touched else text

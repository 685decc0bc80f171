"""A targets decision as a long CSV (report-format.md, "Targets"): one line per target,
`decision_number,decision_date,issuer,year,unit,indicator,comparator,value`.

Delimiters, encodings, dates and numbers are read as in a unit's CSV (ingest.csv_reader). A
file may carry the decisions of several years (a machine export), one decision per year: every
line of a year repeats the same number, date and issuer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ingest.csv_reader import CsvTable
from ingest.fields import parse_report_date, parse_year
from ingest.model import TargetDecision
from ingest.reference import Registry
from ingest.targets.rows import TargetRows
from ingest.text import Problem, collapse_spaces, echo, is_blank


@dataclass
class _Decision:
    """A decision as its first line states it, and its rows as they are read."""

    number: str
    day: date | None
    issuer: str | None
    first_line: int
    rows: TargetRows


def parse_targets_csv(table: CsvTable, registry: Registry,
                      warnings: list[str]) -> list[TargetDecision]:
    """Every decision of a targets CSV, by year; the first problem raises with its line."""
    if not table.records:
        raise Problem("no_targets", "tệp chỉ có dòng tiêu đề, không có dòng chỉ tiêu nào")
    decisions: dict[int, _Decision] = {}
    for record in table.records:
        fields = record.fields
        where = f"dòng {record.line}"
        if is_blank(fields["year"]):
            raise Problem("year_missing", "cột year (năm giao chỉ tiêu) để trống", where)
        year = parse_year(fields["year"], where, "năm giao chỉ tiêu")
        try:
            decision = _decision_of_line(decisions, fields, year, record.line)
            decision.rows.add(
                registry, year,
                (fields["unit"], fields["indicator"], fields["comparator"], fields["value"]),
                (where, where, where, where), f"line {record.line}", where)
        except Problem as problem:
            problem.year = year
            raise
    return [
        TargetDecision(decision_number=d.number, decision_date=d.day, issuer=d.issuer,
                       year=year, sheet_name=None, rows=tuple(d.rows.rows))
        for year, d in sorted(decisions.items())
    ]


def _decision_of_line(decisions: dict[int, _Decision], fields: dict[str, str], year: int,
                      line: int) -> _Decision:
    """The decision a line belongs to (its year's), after checking the line states it as the
    year's first line did."""
    where = f"dòng {line}"
    number = collapse_spaces(fields["decision_number"])
    if not number:
        raise Problem("decision_number_missing", "cột decision_number (số quyết định) để trống",
                      where)
    raw_day = fields["decision_date"]
    day = (parse_report_date(raw_day, where, "ngày quyết định") if not is_blank(raw_day)
           else None)
    issuer = collapse_spaces(fields["issuer"]) or None
    known = decisions.get(year)
    if known is None:
        decisions[year] = known = _Decision(number, day, issuer, line, TargetRows())
        return known
    for label, mine, first in (("số quyết định", number, known.number),
                               ("ngày quyết định", _shown(day), _shown(known.day)),
                               ("cơ quan giao", issuer or "", known.issuer or "")):
        if mine != first:
            raise Problem("conflicting_decisions",
                          f'{label} "{echo(mine)}" khác dòng {known.first_line} ("{echo(first)}") '
                          f"cho cùng năm {year}; mỗi năm chỉ một quyết định giao chỉ tiêu trong "
                          f"một tệp", where)
    return known


def _shown(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


__all__ = ["parse_targets_csv"]

"""Read what a yearly report needs from the warehouse, through any DB-API connection.

Only public tables (warehouse-contract.md) and the documented `raw` layer are read, unqualified
for the public ones (a reader's search path finds them on either engine) and with `raw.` for the
files. The SQL is standard (no engine dialect) with `?` placeholders, translated to the
driver's paramstyle, so the PostgreSQL engine can hand its connection in unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ingest.errors import TuphapError
from orchestration.report.model import (
    Deadline,
    FactRow,
    Issue,
    Province,
    Rejection,
    ReportData,
    ReportedRate,
    Submission,
    Target,
    Unit,
    YearTotals,
)
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts

DISSEMINATION = ("sessions", "attendees", "documents", "legal_reporters", "legal_propagandists")
MEDIATION = ("teams", "mediators", "cases_received", "cases_successful", "cases_unsuccessful",
             "cases_pending")
ENFORCEMENT_PARTS = ("carried_over", "new", "accepted", "entrusted", "revoked", "to_enforce",
                     "eligible", "not_eligible", "completed", "terminated", "resolved",
                     "carried_forward")
ENFORCEMENT = tuple(f"{kind}_{part}" for kind in ("cases", "money") for part in ENFORCEMENT_PARTS)
DOMAIN_COUNTS: dict[str, tuple[str, ...]] = {
    "dissemination": DISSEMINATION, "mediation": MEDIATION, "enforcement": ENFORCEMENT,
}
# reported rate column -> (its decimals column, the rate's name in the report)
REPORTED_RATES: dict[str, dict[str, str]] = {
    "dissemination": {},
    "mediation": {"reported_success_rate": "success_rate"},
    "enforcement": {"reported_case_resolution_rate": "case_resolution_rate",
                    "reported_money_resolution_rate": "money_resolution_rate"},
}

_TOTALS_SQL = {
    "cluster": "select * from rpt_cluster_year order by year",
    "national": "select * from rpt_national_year order by year",
}
_FACTS_SQL = {
    "dissemination": "select * from fct_dissemination where year in (?, ?) "
                     "order by year, province_code",
    "mediation": "select * from fct_mediation where year in (?, ?) order by year, province_code",
    "enforcement": "select * from fct_enforcement where year in (?, ?) "
                   "order by year, province_code",
}
_PROVINCES_SQL = ("select province_code, province_name, valid_from, valid_to, "
                  "successor_province_code from dim_province")
_UNITS_SQL = ("select unit_code, unit_name, unit_type, province_code, valid_from, valid_to "
              "from dim_unit")
# Every issue of the year that is not resolved, and the errors of earlier years (a change from
# N-1 and a trend point rest on them); `explanation` only where the warehouse has it (v3).
_ISSUES_SQL = ("select year, fingerprint, rule_id, severity, status, form, unit_code, unit_name, "
               "province_code, message, cast(\"values\" as varchar) as issue_values, "
               "cast(details as varchar) as issue_details{explanation} "
               "from dq_issues where status <> 'resolved' "
               "and (year = ? or (year < ? and severity = 'error')) "
               "order by year, severity, unit_code, rule_id, form, message, fingerprint")
# Which of the version-3 inputs this warehouse has: the report uses them when they are there.
_OPTIONAL_SQL = ("select table_name, column_name from information_schema.columns "
                 "where table_schema = current_schema() and table_name in (?, ?, ?)")
_TARGETS_SQL = ("select unit_code, province_code, indicator, comparator, target, actual, margin, "
                "achieved, decision_number, decision_date from fct_target_achievement "
                "where year = ? order by unit_code, indicator")
_DEADLINES_SQL = ("select unit_code, province_code, form, due_date, first_received_at, "
                  "last_received_at, corrections, on_time, days_late, status "
                  "from rpt_submissions where year = ? order by unit_code, form")
_REJECTIONS_SQL = ("select source_file, reason, unit_code, received_at, year "
                   "from rejected_reports where year = ? or year is null "
                   "order by source_file, sha256")
_RECEIVED_SQL = "select distinct sha256, province_code from raw.submissions where year = ?"
# The report's clock: the last time the warehouse received a file the report of N shows (its
# figures up to N, or a rejection of N or of no known year), so loading another year's
# correction leaves this year's report as it was, byte for byte.
_LOADED_AT_SQL = ("select max(received_at) as loaded_at from ("
                  "select received_at from raw.submissions where year <= ? "
                  "union all select received_at from rejected_reports "
                  "where year = ? or year is null) as received")


# The reporting years of the newest load that brought figures: the years "it loaded".
_LAST_LOADED_YEARS_SQL = ("select distinct year from raw.submissions "
                          "where loaded_at = (select max(loaded_at) from raw.submissions)")


def last_loaded_years(connection: Connection) -> set[int]:
    """The years whose figures the newest load that brought any received."""
    return {int(row["year"]) for row in _Query(connection)(_LAST_LOADED_YEARS_SQL)}


class NoReportData(TuphapError, LookupError):
    """The warehouse has no figures for the year asked (message for the data team)."""


def read_report_data(connection: Connection, *, year: int, scope: str) -> ReportData:
    """Everything the report of `year` needs, as plain records; raises NoReportData."""
    query = _Query(connection)
    every_year = [_totals(row) for row in query(_TOTALS_SQL[scope])
                  if row["reporting_province_count"]]
    history = tuple(t for t in every_year if t.year <= year)
    if not history or history[-1].year != year:
        have = ", ".join(str(t.year) for t in every_year) or "none"
        raise NoReportData(f"the warehouse has no figures for {year} ({scope} scope); "
                           f"years with figures: {have}")
    totals = history[-1]
    members = set(totals.member_codes)
    both = {domain: query(sql, year - 1, year) for domain, sql in _FACTS_SQL.items()}
    fact_rows = {domain: [r for r in rows if r["year"] == year and r["province_code"] in members]
                 for domain, rows in both.items()}
    facts = {domain: tuple(_fact(domain, row) for row in rows)
             for domain, rows in fact_rows.items()}
    # N-1's figures of every province the warehouse has, members or not: a 2025 province is
    # compared with the provinces it was made of, when all of them reported.
    previous_facts = {domain: tuple(_fact(domain, r) for r in rows if r["year"] == year - 1)
                      for domain, rows in both.items()}
    province_rows = query(_PROVINCES_SQL)
    optional = _optional_columns(query)
    explanation = ", explanation" if "explanation" in optional.get("dq_issues", ()) else ""
    issues = [_issue(row) for row in query(_ISSUES_SQL.format(explanation=explanation),
                                           year, year)]
    scope_of = {t.year: set(t.member_codes) for t in history}
    issues = [i for i in issues if i.province_code is None
              or i.province_code in scope_of.get(i.year, set())]
    rejected = query(_REJECTIONS_SQL, year)
    loaded = query(_LOADED_AT_SQL, year, year)
    return ReportData(
        year=year, scope=scope, totals=totals, history=history,
        provinces=_provinces(province_rows, year),
        previous_provinces=_provinces(province_rows, year - 1),
        facts=facts, previous_facts=previous_facts,
        units=_units(query(_UNITS_SQL), members, year),
        issues=tuple(i for i in issues if i.year == year),
        past_errors=tuple(i for i in issues if i.year < year),
        rejections=tuple(Rejection(r["source_file"], r["reason"], r["unit_code"],
                                   r["received_at"]) for r in rejected if r["year"] is not None),
        rejections_without_year=sum(1 for r in rejected if r["year"] is None),
        submissions=_submissions(fact_rows),
        files_received=len({r["sha256"] for r in query(_RECEIVED_SQL, year)
                            if r["province_code"] in members}),
        loaded_at=loaded[0]["loaded_at"] if loaded else None,
        territories={t.year: frozenset().union(*atoms_of(province_rows, t.member_codes,
                                                          t.year).values()) for t in history},
        atoms={y: atoms_of(province_rows, _provinces(province_rows, y), y)
               for y in (year - 1, year)},
        targets=(tuple(_target(r) for r in query(_TARGETS_SQL, year)
                       if r["province_code"] in members)
                 if "fct_target_achievement" in optional else None),
        deadlines=(tuple(_deadline(r) for r in query(_DEADLINES_SQL, year)
                         if r["province_code"] in members)
                   if "rpt_submissions" in optional else None),
    )


def _optional_columns(query: _Query) -> dict[str, set[str]]:
    """The version-3 tables this warehouse has (and dq_issues' columns), by name."""
    out: dict[str, set[str]] = {}
    for row in query(_OPTIONAL_SQL, "dq_issues", "fct_target_achievement", "rpt_submissions"):
        out.setdefault(row["table_name"], set()).add(row["column_name"])
    return out


def atoms_of(province_rows: list[dict[str, Any]], codes: Iterable[str],
             year: int) -> dict[str, frozenset[str]]:
    """The land each province of `codes` covered in `year`, as the provinces it was made of
    before any merger: Tuyên Quang of 2025 is {Hà Giang, Tuyên Quang} of 2024. Two figures
    cover the same land when these sets are equal, whatever the provinces were called."""
    valid = _latest_valid(province_rows, "province_code", year)
    out: dict[str, frozenset[str]] = {}
    for code in codes:
        row = valid.get(code)
        starts = row["valid_from"] if row else None
        merged = {r["province_code"] for r in province_rows
                  if r["successor_province_code"] == code and starts is not None
                  and r["valid_to"] is not None and r["valid_to"] < starts}
        out[code] = frozenset(merged or {code})
    return out


class _Query:
    """Run a `?`-placeholder query on the connection; rows as dicts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __call__(self, sql: str, *params: object) -> list[dict[str, Any]]:
        return query_dicts(self.connection, sql, params)


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(c.strip() for c in (text or "").split(",") if c.strip()))


def _int(value: Any) -> int | None:
    """Counts arrive as int (DuckDB) or Decimal (PostgreSQL's numeric sums)."""
    return None if value is None else int(value)


def _totals(row: dict[str, Any]) -> YearTotals:
    counts = {name: _int(row.get(name)) for columns in DOMAIN_COUNTS.values() for name in columns}
    return YearTotals(int(row["year"]), _codes(row["member_province_codes"]),
                      _codes(row["reporting_province_codes"]), counts)


def _fact(domain: str, row: dict[str, Any]) -> FactRow:
    rates = {}
    for column, name in REPORTED_RATES[domain].items():
        if row.get(column) is not None:
            decimals = row.get(f"{column}_decimals")
            rates[name] = ReportedRate(float(row[column]), 2 if decimals is None else
                                       int(decimals))
    return FactRow(row["province_code"], row["unit_code"],
                   {name: _int(row.get(name)) for name in DOMAIN_COUNTS[domain]}, rates)


def _valid_in(row: dict[str, Any], year: int) -> bool:
    starts, ends = row["valid_from"], row["valid_to"]
    return ((starts is None or starts <= date(year, 12, 31))
            and (ends is None or ends >= date(year, 1, 1)))


def _latest_valid(rows: Iterable[dict[str, Any]], key: str, year: int) -> dict[str, dict]:
    """Per code, the row valid in `year` that started last (after a merger: the new name)."""
    out: dict[str, dict[str, Any]] = {}
    for row in sorted((r for r in rows if _valid_in(r, year)),
                      key=lambda r: (r[key], r["valid_from"] or date.min)):
        out[row[key]] = row
    return out


def _provinces(rows: list[dict[str, Any]], year: int) -> dict[str, Province]:
    return {code: Province(code, row["province_name"])
            for code, row in _latest_valid(rows, "province_code", year).items()}


def _units(rows: list[dict[str, Any]], members: set[str], year: int) -> tuple[Unit, ...]:
    valid = _latest_valid((r for r in rows if r["province_code"] in members), "unit_code", year)
    return tuple(Unit(r["unit_code"], r["unit_name"], r["unit_type"], r["province_code"])
                 for r in sorted(valid.values(), key=lambda r: (r["province_code"],
                                                                r["unit_type"] != "STP")))


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _issue(row: dict[str, Any]) -> Issue:
    return Issue(row["rule_id"], row["severity"], row["status"], row["form"], row["unit_code"],
                 row["unit_name"], row["province_code"], row["message"],
                 _json(row["issue_values"]), _json(row["issue_details"]), int(row["year"]),
                 row.get("explanation") or None, row["fingerprint"] or "")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _target(row: dict[str, Any]) -> Target:
    return Target(row["unit_code"], row["province_code"], row["indicator"],
                  str(row["comparator"]).strip(), float(row["target"]), _float(row["actual"]),
                  _float(row["margin"]), None if row["achieved"] is None else bool(row["achieved"]),
                  row["decision_number"], _day(row["decision_date"]))


def _deadline(row: dict[str, Any]) -> Deadline:
    return Deadline(row["unit_code"], row["province_code"], row["form"], _day(row["due_date"]),
                    row["first_received_at"], row["last_received_at"],
                    int(row["corrections"] or 0),
                    None if row["on_time"] is None else bool(row["on_time"]),
                    _int(row["days_late"]), str(row["status"]))


def _day(value: Any) -> date | None:
    """A date column, whichever type the engine returns (date, timestamp or ISO text)."""
    if value is None or isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if hasattr(value, "date"):
        return value.date()
    return date.fromisoformat(str(value)[:10])


_FORM_COLUMNS: dict[str, Sequence[tuple[str, str]]] = {
    # domain -> (form, column prefix of that form's lineage in the fact row)
    "dissemination": (("PBGDPL", ""),),
    "mediation": (("HOAGIAI", ""),),
    "enforcement": (("THADS_VIEC", "cases_"), ("THADS_TIEN", "money_")),
}


def _submissions(fact_rows: dict[str, list[dict[str, Any]]]) -> tuple[Submission, ...]:
    out = set()
    for domain, row in ((d, r) for d, rows in fact_rows.items() for r in rows):
        for form, prefix in _FORM_COLUMNS[domain]:
            if row.get(f"{prefix}source_file") is None:
                continue
            out.add(Submission(row["unit_code"], form, row[f"{prefix}source_file"],
                               row[f"{prefix}sha256"], row.get(f"{prefix}loaded_at"),
                               row.get(f"{prefix}report_date")))
    return tuple(sorted(out, key=lambda s: (s.unit_code, s.form, s.source_file)))

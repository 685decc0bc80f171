"""Small ReportData values for the report's unit tests: three provinces, two years, optional
targets and deadlines (the version-3 tables, as their contract describes them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from orchestration.report.model import (
    Deadline,
    FactRow,
    Issue,
    Province,
    ReportData,
    ReportedRate,
    Submission,
    Target,
    Unit,
    YearTotals,
)
from orchestration.report.read import DOMAIN_COUNTS

PROVINCES = {"02": "Tỉnh Hà Giang", "04": "Tỉnh Cao Bằng", "10": "Tỉnh Lào Cai"}
LOADED_AT = datetime(2026, 12, 2, 10, 21, 47, tzinfo=UTC)


def counts(domain: str, **values: int | None) -> dict[str, int | None]:
    return {name: values.get(name, 0) for name in DOMAIN_COUNTS[domain]}


def facts(year: int, scale: int = 1) -> dict[str, tuple[FactRow, ...]]:
    """Per province: dissemination sessions 100/200/300 × scale, mediation 90/100 ... ."""
    rows: dict[str, list[FactRow]] = {"dissemination": [], "mediation": [], "enforcement": []}
    for i, code in enumerate(PROVINCES, start=1):
        rows["dissemination"].append(FactRow(code, f"STP-{code}", counts(
            "dissemination", sessions=100 * i * scale, attendees=5000 * i, documents=900 * i)))
        rows["mediation"].append(FactRow(code, f"STP-{code}", counts(
            "mediation", cases_received=100, cases_successful=80 + i * 5),
            {"success_rate": ReportedRate(85.0 if code == "02" else 80 + i * 5, 2)}))
        rows["enforcement"].append(FactRow(code, f"THADS-{code}", counts(
            "enforcement", cases_accepted=1000, cases_eligible=900, cases_resolved=800 + 10 * i,
            money_accepted=600_000_000, money_eligible=500_000_000,
            money_resolved=200_000_000 + i)))
    return {d: tuple(r) for d, r in rows.items()}


def totals(year: int, facts_: dict[str, tuple[FactRow, ...]],
           members: tuple[str, ...] = tuple(PROVINCES)) -> YearTotals:
    summed: dict[str, int | None] = {}
    for domain, rows in facts_.items():
        for name in DOMAIN_COUNTS[domain]:
            summed[name] = sum(r.counts[name] or 0 for r in rows)
    return YearTotals(year, members, members, summed)


def report_data(year: int = 2022, issues: tuple[Issue, ...] = ()) -> ReportData:
    now, before = facts(year), facts(year - 1, scale=2)
    provinces = {code: Province(code, name) for code, name in PROVINCES.items()}
    land = {code: frozenset({code}) for code in PROVINCES}
    return ReportData(
        year=year, scope="cluster", totals=totals(year, now),
        history=(totals(year - 1, before), totals(year, now)),
        provinces=provinces, previous_provinces=provinces, facts=now, previous_facts=before,
        atoms={year - 1: land, year: land},
        territories={year - 1: frozenset(PROVINCES), year: frozenset(PROVINCES)},
        units=tuple(Unit(f"{t}-{c}", f"{'Sở Tư pháp' if t == 'STP' else 'Cục THADS'} {n}", t, c)
                    for c, n in PROVINCES.items() for t in ("STP", "THADS")),
        issues=tuple(i for i in issues if i.year == year),
        past_errors=tuple(i for i in issues if i.year < year),
        rejections=(), rejections_without_year=0,
        submissions=tuple(Submission(f"STP-{c}", form, f"{year}_STP-{c}.xlsx", f"sha-{c}",
                                     LOADED_AT, date(year, 12, 1))
                          for c in PROVINCES for form in ("PBGDPL", "HOAGIAI")),
        files_received=3, loaded_at=LOADED_AT,
    )


def issue(rule_id: str = "ENF-05", *, severity: str = "error", status: str = "open",
          form: str = "THADS_VIEC", province: str = "04", values: dict | None = None,
          year: int = 2022,
          message: str = "Cục THADS tỉnh Cao Bằng, năm 2022: giải quyết xong > có điều kiện"
          ) -> Issue:
    return Issue(rule_id, severity, status, form, f"THADS-{province}", "Cục THADS tỉnh Cao Bằng",
                 province, message,
                 values if values is not None else {"eligible": 900, "resolved": 910}, {},
                 year=year, fingerprint=f"{rule_id}-{province}-{year}")


def target(province: str, indicator: str = "case_resolution_rate", *, goal: float = 85.0,
           actual: float | None = 90.0, comparator: str = "trên") -> Target:
    achieved = None if actual is None else (actual > goal if comparator == "trên"
                                            else actual >= goal)
    return Target(f"THADS-{province}", province, indicator, comparator, goal, actual,
                  None if actual is None else actual - goal, achieved, "15/QĐ-TCTHADS",
                  date(2022, 1, 15))


def deadline(province: str, form: str = "THADS_VIEC", *, status: str = "received",
             days_late: int | None = 0, corrections: int = 0) -> Deadline:
    due = date(2022, 10, 15)
    received = None if status == "missing" else datetime(2022, 10, 15 + (days_late or 0),
                                                         3, tzinfo=UTC)
    return Deadline(f"THADS-{province}", province, form, due, received, received, corrections,
                    None if status == "missing" else not days_late,
                    None if status == "missing" else days_late, status)

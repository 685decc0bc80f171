"""Synthetic raw loads for the data-quality tests, with figures chosen so every rule's outcome
is known in advance.

`clean_dataset()` is internally consistent (every identity holds, carry-over continues from
year to year, trends are steady within ±15 % a year) and exercises the skips: rates printed
with 0, 1 or 2 decimals or not at all, operands left empty, sub-units with and without a total
row, an identical resubmission, the 2025 merger with a predecessor that did not report.
`violations_dataset()` plants exactly one violation per line of `EXPECTED_VIOLATIONS`. Both carry
targets decisions for 2024: a first one superseded by a later one (history, not an issue).
The rows are written the way ingest writes them, with orchestration/ingest/raw_schema.py's DDL.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.ingest.raw_schema import RAW_DDL, RAW_SOURCE_YML
from orchestration.warehouse.sql import render

YEARS = (2021, 2022, 2023, 2024, 2025)
MEMBERS_UNTIL_2024 = ("02", "04", "10", "11", "12", "14", "20")
MEMBERS_2025 = ("08", "04", "15", "11", "12", "14", "20")

# Yearly growth per province: 04 grows 15 % a year, 11 shrinks 13 % a year (GEN-03 must stay
# quiet on such steady trends).
GROWTH = {"02": 1.05, "04": 1.15, "10": 1.03, "11": 0.87, "12": 1.0, "14": 1.08, "20": 0.95,
          "08": 1.0, "15": 1.0}
# Digits printed in the reported rates (None: the optional rate column left empty).
RATE_DECIMALS = {"02": 2, "04": 0, "10": 2, "11": 1, "12": 2, "14": None, "20": 2, "08": 2,
                 "15": 0}
MONEY_FACTOR = 40_000  # THADS_TIEN in thousand VND

Value = int | float | tuple[float, int] | None  # (value, decimals) for rates
Rows = list[tuple[str | None, dict[str, Value]]]  # (sub-unit or None for the total, figures)


def half_up(numerator: int, denominator: int, decimals: int) -> float:
    """100 * numerator / denominator rounded half up, as a person prints a rate."""
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


@dataclass
class Submission:
    unit_code: str
    year: int
    form: str
    rows: Rows
    source_file: str
    received_at: datetime
    report_date: date | None = None

    @property
    def province_code(self) -> str:
        return self.unit_code.split("-")[1]

    @property
    def total(self) -> dict[str, Value]:
        return next(v for s, v in self.rows if s is None)


# A row of a targets decision: (unit or unit type, indicator, comparator, value, decimals).
TargetLine = tuple[str, str, str, float, int]


@dataclass
class Decision:
    """A targets decision as ingest records it (raw.target_decisions, raw.target_values)."""

    number: str
    year: int
    day: date | None
    rows: list[TargetLine]
    source_file: str
    received_at: datetime


@dataclass
class Dataset:
    submissions: list[Submission] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def add(self, unit_code: str, year: int, form: str, figures: dict[str, Value], *,
            rows: Rows | None = None, file: str | None = None,
            received_at: datetime | None = None, report_date: date | None = None
            ) -> Submission:
        n = len(self.submissions)
        sub = Submission(
            unit_code, year, form, rows if rows is not None else [(None, dict(figures))],
            file or f"{unit_code}_{year}_{form}_{n}.csv",
            received_at or datetime(year + 1, 1, 15, 8, 0, tzinfo=UTC) + timedelta(minutes=n),
            report_date,
        )
        self.submissions.append(sub)
        return sub

    def get(self, unit_code: str, year: int, form: str) -> Submission:
        found = [s for s in self.submissions
                 if (s.unit_code, s.year, s.form) == (unit_code, year, form)]
        assert len(found) == 1, (unit_code, year, form, len(found))
        return found[0]

    def remove(self, unit_code: str, year: int, form: str) -> None:
        self.submissions.remove(self.get(unit_code, year, form))

    def copy(self) -> Dataset:
        return copy.deepcopy(self)

    def write(self, db_path: Path) -> None:
        """Create the raw layer in a new DuckDB file and insert every submission."""
        con = duckdb.connect(str(db_path))
        try:
            for statement in RAW_DDL:
                con.execute(render(statement))
            for sub in self.submissions:
                _insert(con, sub)
            for decision in self.decisions:
                _insert_decision(con, decision)
        finally:
            con.close()


@cache
def _raw_columns(table: str) -> frozenset[str]:
    """The columns of a raw table, as the raw DDL declares them (its sources yml)."""
    sources = yaml.safe_load(RAW_SOURCE_YML.read_text(encoding="utf-8"))["sources"]
    (raw,) = [source for source in sources if source["name"] == "raw"]
    (declared,) = [t for t in raw["tables"] if t["name"] == table]
    return frozenset(column["name"] for column in declared["columns"])


def _insert_row(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    """Insert by column name, supplying only the columns the raw DDL has (it may grow)."""
    present = _raw_columns(table)
    names = [name for name in row if name in present]
    placeholders = ", ".join("?" for _ in names)
    con.execute(
        f"insert into raw.{table} ({', '.join(names)}) values ({placeholders})",  # noqa: S608
        [row[name] for name in names],
    )


def _insert_file(con: duckdb.DuckDBPyConnection, source_file: str, received_at: datetime,
                 year: int, kind: str) -> str:
    """An accepted file and its receipt; returns its sha256."""
    sha = hashlib.sha256(source_file.encode()).hexdigest()
    _insert_row(con, "received_files", {
        "sha256": sha, "source_file": source_file, "archive_path": f"archive/{sha}.{kind}",
        "size_bytes": 1000, "received_at": received_at, "file_modified_at": received_at,
        "file_kind": kind, "status": "accepted", "years": [year], "parsed_scope": "cluster",
    })
    _insert_row(con, "file_receipts", {"sha256": sha, "source_file": source_file,
                                       "first_seen_at": received_at})
    return sha


def _insert(con: duckdb.DuckDBPyConnection, sub: Submission) -> None:
    sha = _insert_file(con, sub.source_file, sub.received_at, sub.year, "csv")
    submission_id = f"{sha}:{sub.unit_code}:{sub.year}:{sub.form}"
    _insert_row(con, "submissions", {
        "submission_id": submission_id, "sha256": sha, "source_file": sub.source_file,
        "unit_code": sub.unit_code, "province_code": sub.province_code, "year": sub.year,
        "form": sub.form, "report_date": sub.report_date, "received_at": sub.received_at,
        "file_modified_at": sub.received_at, "loaded_at": sub.received_at + timedelta(seconds=5),
    })
    line = 2
    for order, (subunit, figures) in enumerate(sub.rows):
        for indicator, value in figures.items():
            if value is None:
                continue  # an empty cell: not reported
            number, decimals = value if isinstance(value, tuple) else (value, 0)
            _insert_row(con, "submission_values", {
                "submission_id": submission_id, "subunit": subunit,
                "subunit_order": 0 if subunit is None else order + 1, "indicator": indicator,
                "value": float(number), "decimals": decimals, "source_cell": f"line {line}",
            })
            line += 1


def _insert_decision(con: duckdb.DuckDBPyConnection, decision: Decision) -> None:
    sha = _insert_file(con, decision.source_file, decision.received_at, decision.year, "xlsx")
    decision_id = f"{sha}:targets:{decision.year}"
    _insert_row(con, "target_decisions", {
        "decision_id": decision_id, "sha256": sha, "source_file": decision.source_file,
        "decision_number": decision.number, "decision_date": decision.day,
        "issuer": "Tổng cục Thi hành án dân sự", "year": decision.year, "sheet_name": "CHITIEU",
        "received_at": decision.received_at, "file_modified_at": decision.received_at,
        "loaded_at": decision.received_at + timedelta(seconds=5),
    })
    for row, (unit, indicator, comparator, value, decimals) in enumerate(decision.rows, 10):
        _insert_row(con, "target_values", {
            "decision_id": decision_id, "unit": unit, "unit_type": unit.split("-")[0],
            "indicator": indicator, "comparator": comparator, "value": value,
            "decimals": decimals, "source_cell": f"CHITIEU!D{row}",
        })


def _rate(numerator: int, denominator: int, province: str) -> tuple[float, int] | None:
    decimals = RATE_DECIMALS[province]
    if decimals is None or not denominator:
        return None
    return (half_up(numerator, denominator, decimals), decimals)


def enforcement_figures(carried_over: int, new: int, province: str) -> dict[str, Value]:
    """A consistent enforcement row: every identity of ENF-01..08 holds."""
    accepted = carried_over + new
    entrusted, revoked = round(accepted * 0.01), round(accepted * 0.005)
    to_enforce = accepted - entrusted - revoked
    eligible = round(to_enforce * 0.8)
    resolved = round(eligible * 0.85)
    terminated = round(resolved * 0.05)
    return {
        "carried_over": carried_over, "new": new, "accepted": accepted, "entrusted": entrusted,
        "revoked": revoked, "to_enforce": to_enforce, "eligible": eligible,
        "not_eligible": to_enforce - eligible, "completed": resolved - terminated,
        "terminated": terminated, "resolved": resolved,
        "carried_forward": to_enforce - resolved,
        "resolution_rate": _rate(resolved, eligible, province),
    }


def mediation_figures(received: int, province: str, successful: int | None = None,
                      unsuccessful: int | None = None) -> dict[str, Value]:
    successful = round(received * 0.85) if successful is None else successful
    unsuccessful = round(received * 0.1) if unsuccessful is None else unsuccessful
    return {
        "teams": 900, "mediators": 5400, "cases_received": received,
        "cases_successful": successful, "cases_unsuccessful": unsuccessful,
        "cases_pending": received - successful - unsuccessful,
        "success_rate": _rate(successful, received, province),
    }


def dissemination_figures(sessions: int) -> dict[str, Value]:
    return {"sessions": sessions, "attendees": 60 * sessions, "documents": 15 * sessions,
            "legal_reporters": 80, "legal_propagandists": 900}


# Base figures of each province's first year (2021, or 2025 for the merged-into provinces).
NEW_CASES = {"02": 2500, "04": 2000, "10": 3000, "11": 3300, "12": 1800, "14": 4200,
             "20": 2600, "08": 5200, "15": 5600}
RECEIVED = {"02": 2200, "04": 1500, "10": 3152, "11": 3732, "12": 1300, "14": 2900,
            "20": 1700, "08": 3100, "15": 3900}
SESSIONS = {"02": 3000, "04": 2200, "10": 4100, "11": 3500, "12": 2500, "14": 4800,
            "20": 2745, "08": 5000, "15": 6000}


def _years_of(province: str) -> tuple[int, ...]:
    if province in ("02", "10"):
        return YEARS[:4]
    if province in ("08", "15"):
        return (2025,)
    return YEARS


def enforcement_series(dataset: Dataset, province: str, years: tuple[int, ...],
                       first_carried_over: int | None = None) -> None:
    """Both enforcement forms of one province over `years`, carry-over continuing."""
    for form, factor in (("THADS_VIEC", 1), ("THADS_TIEN", MONEY_FACTOR)):
        new0 = NEW_CASES[province] * factor
        carried_over = first_carried_over if first_carried_over is not None \
            else round(new0 * 0.46)
        for i, year in enumerate(years):
            figures = enforcement_figures(carried_over, round(new0 * GROWTH[province] ** i),
                                          province)
            dataset.add(f"THADS-{province}", year, form, figures)
            carried_over = int(figures["carried_forward"])  # type: ignore[arg-type]


def clean_dataset() -> Dataset:
    data = Dataset()
    for province in ("02", "04", "10", "11", "12", "14", "20", "08", "15"):
        years = _years_of(province)
        g = GROWTH[province]
        enforcement_series(data, province, years)
        for i, year in enumerate(years):
            unit = f"STP-{province}"
            data.add(unit, year, "HOAGIAI",
                     mediation_figures(round(RECEIVED[province] * g ** i), province))
            data.add(unit, year, "PBGDPL",
                     dissemination_figures(round(SESSIONS[province] * g ** i)))

    # Precision of the reported rate (ENF-08/MED-03): 2.754 / 3.247 = 84,817...%:
    # "85" (0 decimals) and "84,82" (2 decimals) both pass.
    data.get("STP-10", 2022, "HOAGIAI").rows = [(None, {
        **mediation_figures(3247, "10", successful=2754, unsuccessful=400),
        "success_rate": (85.0, 0)})]
    data.get("STP-11", 2022, "HOAGIAI").rows = [(None, {
        **mediation_figures(3247, "11", successful=2754, unsuccessful=400),
        "success_rate": (84.82, 2)})]
    # Operands left empty: ENF-02 cannot be checked for THADS-20 2021 (skipped, not failed).
    data.get("THADS-20", 2021, "THADS_VIEC").total["entrusted"] = None
    # Sub-units with a matching total row, and sub-units without a total row.
    with_total = data.get("STP-12", 2023, "PBGDPL")
    total = with_total.total
    with_total.rows = [(None, total), *_split(total)]
    no_total = data.get("STP-14", 2023, "PBGDPL")
    no_total.rows = _split(no_total.total)
    # The official report repeating the preliminary one with the same figures: no GEN-04.
    repeated = data.get("STP-04", 2023, "PBGDPL")
    data.add("STP-04", 2023, "PBGDPL", dict(repeated.total), file="STP-04_2023_official.xlsx",
             received_at=repeated.received_at + timedelta(days=30))
    # 2024's targets: a first decision with the case target only, then the decision that
    # replaces it with both (TGT-01 looks at the one in force only).
    data.decisions += [
        Decision("10/QĐ-TCTHADS", 2024, date(2024, 1, 10),
                 [("THADS", "case_resolution_rate", "trên", 81.5, 2)], "chi_tieu_2024.xlsx",
                 datetime(2024, 1, 12, 8, 0, tzinfo=UTC)),
        Decision("55/QĐ-TCTHADS", 2024, date(2024, 6, 20),
                 [("THADS", "case_resolution_rate", "trên", 82.0, 2),
                  ("THADS", "money_resolution_rate", "trên", 40.1, 2)],
                 "chi_tieu_2024_dieu_chinh.xlsx", datetime(2024, 6, 21, 8, 0, tzinfo=UTC)),
    ]
    return data


def _split(total: dict[str, Value], gap: dict[str, int] | None = None) -> Rows:
    """Two sub-unit rows summing to the total (minus `gap` per indicator)."""
    gap = gap or {}
    first = {k: (int(v) // 3 if isinstance(v, int) else None) for k, v in total.items()}
    second = {k: (int(v) - int(first[k]) - gap.get(k, 0) if isinstance(v, int) else None)
              for k, v in total.items()}
    return [("Huyện A", first), ("Huyện B", second)]


# (rule_id, unit_code, year, form) of every violation planted by violations_dataset().
EXPECTED_VIOLATIONS: frozenset[tuple[str, str, int, str]] = frozenset({
    ("ENF-01", "THADS-20", 2022, "THADS_VIEC"),
    ("ENF-02", "THADS-12", 2022, "THADS_TIEN"),
    ("ENF-03", "THADS-14", 2023, "THADS_VIEC"),
    ("ENF-04", "THADS-11", 2022, "THADS_VIEC"),
    ("ENF-05", "THADS-10", 2024, "THADS_VIEC"),
    ("ENF-06", "THADS-14", 2025, "THADS_TIEN"),
    ("ENF-07", "THADS-11", 2025, "THADS_TIEN"),
    ("ENF-08", "THADS-12", 2023, "THADS_VIEC"),
    ("ENF-09", "THADS-04", 2024, "THADS_TIEN"),
    ("ENF-09", "THADS-15", 2025, "THADS_VIEC"),
    ("MED-01", "STP-14", 2022, "HOAGIAI"),
    ("MED-02", "STP-20", 2024, "HOAGIAI"),
    ("MED-03", "STP-11", 2022, "HOAGIAI"),
    ("DIS-01", "STP-02", 2023, "PBGDPL"),
    ("DIS-01", "STP-04", 2024, "PBGDPL"),
    ("GEN-01", "THADS-20", 2023, "THADS_TIEN"),
    ("GEN-02", "STP-12", 2024, "PBGDPL"),
    ("GEN-03", "STP-20", 2023, "PBGDPL"),
    ("GEN-04", "STP-11", 2023, "HOAGIAI"),
    ("TGT-01", "THADS-12", 2024, "THADS_TIEN"),
})


def violations_dataset() -> Dataset:
    data = clean_dataset()

    def total(unit: str, year: int, form: str) -> dict[str, Value]:
        return data.get(unit, year, form).total

    total("THADS-20", 2022, "THADS_VIEC")["new"] += 7  # type: ignore[operator]  # ENF-01
    total("THADS-12", 2022, "THADS_TIEN")["entrusted"] += 1000  # type: ignore[operator]
    total("THADS-14", 2023, "THADS_VIEC")["not_eligible"] += 5  # type: ignore[operator]
    total("THADS-11", 2022, "THADS_VIEC")["terminated"] += 3  # type: ignore[operator]

    # ENF-05, the spec's example: "giải quyết xong 3.569 việc > có điều kiện 3.500 việc".
    lao_cai = total("THADS-10", 2024, "THADS_VIEC")
    to_enforce = int(lao_cai["to_enforce"])  # type: ignore[arg-type]
    assert to_enforce > 3569
    lao_cai.update(eligible=3500, not_eligible=to_enforce - 3500, resolved=3569,
                   completed=3569 - 150, terminated=150, carried_forward=to_enforce - 3569,
                   resolution_rate=None)

    # ENF-06 alone: to_enforce > accepted, with entrusted/revoked not reported (ENF-02 skipped).
    son_la = total("THADS-14", 2025, "THADS_TIEN")
    accepted = int(son_la["accepted"])  # type: ignore[arg-type]
    son_la.update(entrusted=None, revoked=None, to_enforce=accepted + 50,
                  not_eligible=accepted + 50 - int(son_la["eligible"]),  # type: ignore[arg-type]
                  carried_forward=accepted + 50 - int(son_la["resolved"]))  # type: ignore[arg-type]

    total("THADS-11", 2025, "THADS_TIEN")["carried_forward"] += 100  # type: ignore[operator]
    total("THADS-12", 2023, "THADS_VIEC")["resolution_rate"] = (90.0, 2)  # ENF-08: "90,00"

    # ENF-09: carried over differs from last year's carried forward, accepted unchanged.
    cao_bang = total("THADS-04", 2024, "THADS_TIEN")
    cao_bang["carried_over"] += 500  # type: ignore[operator]
    cao_bang["new"] -= 500  # type: ignore[operator]

    # The 2025 merger, both predecessors reporting. Lào Cai 15 (2025) is compared with
    # Lào Cai 10 + Yên Bái 15 of 2024 (they differ: violation); Tuyên Quang 08 (2025) with
    # Hà Giang 02 + Tuyên Quang 08 of 2024 (they agree: no violation). Yên Bái sent no
    # THADS_TIEN report, so Lào Cai's THADS_TIEN continuity is skipped.
    data.add("THADS-15", 2024, "THADS_VIEC", enforcement_figures(300, 2000, "15"))
    old_tuyen_quang = enforcement_figures(400, 2100, "08")
    data.add("THADS-08", 2024, "THADS_VIEC", old_tuyen_quang)
    ha_giang = int(total("THADS-02", 2024, "THADS_VIEC")["carried_forward"])  # type: ignore[arg-type]
    tuyen_quang = data.get("THADS-08", 2025, "THADS_VIEC")
    tuyen_quang.rows = [(None, enforcement_figures(
        ha_giang + int(old_tuyen_quang["carried_forward"]),  # type: ignore[arg-type]
        NEW_CASES["08"], "08"))]

    total("STP-14", 2022, "HOAGIAI")["cases_pending"] += 2  # type: ignore[operator]  # MED-01
    binh = total("STP-20", 2024, "HOAGIAI")  # MED-02 alone: the other operands not reported
    binh.update(cases_successful=int(binh["cases_received"]) + 10,  # type: ignore[arg-type]
                cases_unsuccessful=None, cases_pending=None, success_rate=None)
    total("STP-11", 2022, "HOAGIAI")["success_rate"] = (85.0, 2)  # MED-03: "85,00" vs 84,82

    below = total("STP-02", 2023, "PBGDPL")
    below["attendees"] = int(below["sessions"]) - 1  # type: ignore[arg-type]  # DIS-01
    above = total("STP-04", 2024, "PBGDPL")
    above["attendees"] = 1000 * int(above["sessions"]) + 1  # type: ignore[arg-type]

    data.remove("THADS-20", 2023, "THADS_TIEN")  # GEN-01

    # GEN-02: sub-units whose sessions add up to 10 less than the total row.
    lai_chau = data.get("STP-12", 2024, "PBGDPL")
    lai_chau.rows = [(None, lai_chau.total), *_split(lai_chau.total, {"sessions": 10})]

    # GEN-03: a digit typed twice (2.xyz -> 2x.xyz, about ten times the usual figure).
    lang_son = total("STP-20", 2023, "PBGDPL")
    typed = str(lang_son["sessions"])
    lang_son["sessions"] = int(typed[0] + typed[1] + typed[1:])

    # GEN-04: the preliminary report was replaced by the official one with other figures.
    official = data.get("STP-11", 2023, "HOAGIAI")
    official.report_date = date(2024, 2, 20)
    preliminary = dict(official.total)
    preliminary["cases_received"] += 20  # type: ignore[operator]
    preliminary["cases_successful"] += 20  # type: ignore[operator]
    data.add("STP-11", 2023, "HOAGIAI", preliminary, file="STP-11_2023_so_bo.xlsx",
             received_at=official.received_at + timedelta(days=3),  # received later, dated earlier
             report_date=date(2023, 11, 30))

    # TGT-01: the decision in force gives money targets unit by unit, and forgets Lai Châu's.
    in_force = data.decisions[-1]
    in_force.rows = [in_force.rows[0], *(
        (f"THADS-{province}", "money_resolution_rate", "trên", 40.1, 2)
        for province in MEMBERS_UNTIL_2024 if province != "12")]
    return data


def figures_of(dataset: Dataset, unit_code: str, year: int, form: str) -> dict[str, Any]:
    return dict(dataset.get(unit_code, year, form).total)

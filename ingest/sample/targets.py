"""The sample's targets decisions (quyết định giao chỉ tiêu): SYNTHETIC, except 2022's.

Every decision here is made up (numbers, dates, the units' own targets, every other year's
values) and says so in its file, with one exception: the 2022 type-wide targets, "trên 81,50%
về việc và trên 40,10% về tiền", are the ones the enforcement authority assigned for 2022
(domain.md, "Targets", reported by vietbao.vn). The values are chosen against the sample's
figures so that, as the seed article says, most of the cluster's THADS units exceed both
targets in 2022 (5 of 7: Lào Cai and Sơn La were given higher targets of their own and miss
them). 2024 has a decision replaced by a later one (targets adjusted in March), and the
Ministry's own decision on the STP units' mediation success rate beside it; 2025's name the
successors of the merged units. The national scale has a CSV decision per year with a few
provinces' own targets drawn from the seed.

Same arguments, same bytes: nothing reads the clock.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ingest.forms import TARGETS_SHEET
from ingest.sample.figures import SEED, Reference
from ingest.sample.writers.xlsx import deterministic_xlsx

# (unit or unit type, indicator, comparator, value as written)
Line = tuple[str, str, str, str]

CASE, MONEY, SUCCESS = "case_resolution_rate", "money_resolution_rate", "success_rate"
TCTHADS = "Tổng cục Thi hành án dân sự"
QLTHADS = "Cục Quản lý thi hành án dân sự, Bộ Tư pháp"  # the successor from 2025
BTP = "Bộ Tư pháp"
SYNTHETIC_NOTE = ("Ghi chú: DỮ LIỆU GIẢ LẬP (synthetic data), tạo tự động để thử nghiệm kho dữ "
                  "liệu; không phải quyết định thật của cơ quan nào.")
REAL_2022_NOTE = ("Ghi chú: DỮ LIỆU GIẢ LẬP (synthetic data), trừ chỉ tiêu chung trên 81,50% về "
                  "việc và trên 40,10% về tiền là chỉ tiêu thật được giao năm 2022 (theo "
                  "vietbao.vn); số, ngày quyết định và chỉ tiêu riêng của từng đơn vị là giả lập.")
CSV_HEADER = ("decision_number", "decision_date", "issuer", "year", "unit", "indicator",
              "comparator", "value", "ghi_chu")

# The THADS units' type-wide targets (case, money), "trên" both. Only 2022's are real.
TYPE_WIDE: dict[int, tuple[str, str]] = {
    2016: ("78,00", "33,00"), 2017: ("78,50", "34,00"), 2018: ("79,00", "35,00"),
    2019: ("80", "36"), 2020: ("80,50", "37,00"), 2021: ("81,00", "38,50"),
    2022: ("81,50", "40,10"), 2023: ("82,00", "41,00"), 2024: ("82,50", "42,00"),
    2025: ("83,00", "42,50"),
}
ADJUSTED_2024 = ("82,50", "41,00")  # the decision of March 2024 that replaces October 2023's
# The cluster's units given targets of their own, by year (synthetic).
CLUSTER_OWN: dict[int, tuple[Line, ...]] = {
    2018: (("THADS-11", MONEY, "trên", "40,00"),),
    2019: (("THADS-04", CASE, "trên", "91,00"),),
    2020: (("THADS-14", CASE, "trên", "87,00"),),
    2022: (("THADS-10", CASE, "trên", "88,00"), ("THADS-14", MONEY, "trên", "55,00")),
    2023: (("THADS-11", MONEY, "từ", "40,00"),),
    2024: (("THADS-10", CASE, "trên", "88,00"),),
    2025: (("THADS-15", CASE, "trên", "85,00"), ("THADS-08", MONEY, "trên", "50,00")),
}
ADJUSTED_2024_OWN: tuple[Line, ...] = (("THADS-10", CASE, "trên", "86,50"),)
STP_YEARS = {2024: ((("STP", SUCCESS, "từ", "85"),), date(2023, 12, 20), "2458/QĐ-BTP"),
             2025: ((("STP", SUCCESS, "từ", "85"), ("STP-20", SUCCESS, "từ", "80")),
                    date(2024, 12, 18), "3021/QĐ-BTP")}
CSV_YEARS = frozenset({2020})  # the cluster's decisions sent as the long CSV


@dataclass(frozen=True)
class SampleDecision:
    """One targets decision file of the sample, and what a loader should make of it."""

    file_name: str
    year: int
    kind: str  # "xlsx" | "csv"
    decision_number: str
    decision_date: date
    issuer: str
    unit_types: tuple[str, ...]
    lines: tuple[Line, ...]
    superseded_by: str | None = None  # the file of the decision that replaces it
    note: str | None = None


def thads_number(year: int, adjusted: bool = False) -> str:
    """A synthetic decision number; from 2025 the successor authority's."""
    serial = 1000 + (year * 37) % 900 + (500 if adjusted else 0)
    return f"{serial}/QĐ-{'QLTHADS' if year >= 2025 else 'TCTHADS'}"


def thads_day(year: int) -> date:
    """Targets for enforcement year N (1 October N-1 to 30 September N) are set as it starts."""
    return date(year - 1, 10, 2 + year % 7)


def _thads(year: int, values: tuple[str, str], own: tuple[Line, ...]) -> tuple[Line, ...]:
    return (("THADS", CASE, "trên", values[0]), ("THADS", MONEY, "trên", values[1]), *own)


def cluster_decisions(years: tuple[int, ...]) -> list[SampleDecision]:
    """The cluster's decisions for `years`, in writing order."""
    out: list[SampleDecision] = []
    for year in years:
        kind = "csv" if year in CSV_YEARS else "xlsx"
        name = f"{year}_chi-tieu_THADS.{kind}"
        adjusted_name = f"{year}_chi-tieu_THADS_dieu-chinh.xlsx"
        out.append(SampleDecision(
            name, year, kind, thads_number(year), thads_day(year),
            QLTHADS if year >= 2025 else TCTHADS, ("THADS",),
            _thads(year, TYPE_WIDE[year], CLUSTER_OWN.get(year, ())),
            superseded_by=adjusted_name if year == 2024 else None,
            note="type-wide targets real (domain.md), the rest synthetic" if year == 2022
            else None))
        if year == 2024:
            out.append(SampleDecision(
                adjusted_name, year, "xlsx", thads_number(year, adjusted=True),
                date(2024, 3, 15), TCTHADS, ("THADS",),
                _thads(year, ADJUSTED_2024, ADJUSTED_2024_OWN),
                note=f"replaces {name} (later Ngày quyết định)"))
        if year in STP_YEARS:
            lines, day, number = STP_YEARS[year]
            out.append(SampleDecision(f"{year}_chi-tieu_STP.xlsx", year, "xlsx", number, day, BTP,
                                      ("STP",), lines))
    return out


def national_decisions(ref: Reference, years: tuple[int, ...]) -> list[SampleDecision]:
    """A CSV decision for the whole country per year: the type-wide targets and four provinces'
    own, drawn from the seed (2024: the first decision and the adjusted one)."""
    out: list[SampleDecision] = []
    for year in years:
        rng = random.Random(f"{SEED}:targets:{year}")
        units = [u.unit_code for u in ref.units_in_year(year) if u.unit_type == "THADS"]
        own: tuple[Line, ...] = ()
        for code in sorted(rng.sample(units, 4)):
            indicator = rng.choice((CASE, MONEY))
            low, high = (84, 92) if indicator == CASE else (42, 55)  # as units achieve them
            own += ((code, indicator, "trên", f"{rng.randint(low, high)},00"),)
        name = f"{year}_chi-tieu_THADS_toan-quoc.csv"
        adjusted_name = f"{year}_chi-tieu_THADS_toan-quoc_dieu-chinh.csv"
        out.append(SampleDecision(
            name, year, "csv", thads_number(year), thads_day(year),
            QLTHADS if year >= 2025 else TCTHADS, ("THADS",), _thads(year, TYPE_WIDE[year], own),
            superseded_by=adjusted_name if year == 2024 else None))
        if year == 2024:
            out.append(SampleDecision(
                adjusted_name, year, "csv", thads_number(year, adjusted=True), date(2024, 3, 15),
                TCTHADS, ("THADS",), _thads(year, ADJUSTED_2024, own[:2]),
                note=f"replaces {name}"))
    return out


def write_decisions(out_dir: Path, ref: Reference, *, scale: str,
                    years: tuple[int, ...]) -> tuple[SampleDecision, ...]:
    """Write the scale's decisions for `years` into `out_dir`; return their manifest entries."""
    decisions = (cluster_decisions(years) if scale == "cluster"
                 else national_decisions(ref, years))
    for decision in decisions:
        data = (decision_csv(decision) if decision.kind == "csv"
                else decision_workbook(decision))
        (out_dir / decision.file_name).write_bytes(data)
    return tuple(decisions)


def decision_workbook(decision: SampleDecision) -> bytes:
    """The CHITIEU workbook of report-format.md ("Targets"), marked synthetic."""
    wb = Workbook()
    ws = wb.active
    ws.title = TARGETS_SHEET
    ws.append([f"QUYẾT ĐỊNH GIAO CHỈ TIÊU NĂM {decision.year} (DỮ LIỆU GIẢ LẬP — MẪU)"])
    ws.append([REAL_2022_NOTE if decision.year == 2022 and "THADS" in decision.unit_types
               else SYNTHETIC_NOTE])
    ws.append([])
    for label, value in (("Cơ quan giao:", decision.issuer),
                         ("Số quyết định:", decision.decision_number),
                         ("Ngày quyết định:", f"{decision.decision_date:%d/%m/%Y}"),
                         ("Năm:", decision.year)):
        ws.append([label, None, value])
    ws.append([])
    ws.append(["Mã đơn vị", "Chỉ tiêu", "So sánh", "Giá trị (%)"])
    ws.append(["(1)", "(2)", "(3)", "(4)"])
    first = ws.max_row + 1
    for unit, indicator, comparator, value in decision.lines:
        # 2019's were typed as numbers; every other year's as text, "81,50" (report-format.md)
        ws.append([unit, indicator, comparator,
                   float(value.replace(",", ".")) if decision.year == 2019 else value])
    ws.append([])
    ws.append(["Nơi nhận:", None, "KT. THỦ TRƯỞNG CƠ QUAN"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    ws.cell(1, 1).font = Font(bold=True, size=13)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.cell(2, 1).font = Font(italic=True, color="C00000")
    for column in range(1, 5):
        ws.cell(first - 2, column).font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 26
    return deterministic_xlsx(wb)


def decision_csv(decision: SampleDecision) -> bytes:
    """The long CSV as Excel in a Vietnamese locale saves it: `;`, `81,50`, UTF-8 with a BOM;
    an extra column says on every line that the data is synthetic (the loader ignores it)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for unit, indicator, comparator, value in decision.lines:
        writer.writerow([decision.decision_number, f"{decision.decision_date:%d/%m/%Y}",
                         decision.issuer, decision.year, unit, indicator, comparator, value,
                         "số liệu giả lập"])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")

"""The targets (chỉ tiêu) each unit was assigned, as the report prints them.

Read from `fct_target_achievement` when the warehouse has it (warehouse-contract.md version 3):
the achievement is the warehouse's (rates compared unrounded, "trên" strictly above, "từ" at
least); this module only words it. A warehouse without the table, or without a decision for the
year, is said to have none, plainly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ingest.vn_format import format_number
from orchestration.report import wording
from orchestration.report.model import ReportData, Target

INDICATOR_TABLE = {"case_resolution_rate": "enforcement_cases",
                   "money_resolution_rate": "enforcement_money",
                   "success_rate": "mediation"}
INDICATOR_WORDS = {"case_resolution_rate": "về việc", "money_resolution_rate": "về tiền",
                   "success_rate": "về hòa giải thành"}
UNIT_WORDS = {"case_resolution_rate": "đơn vị thi hành án", "money_resolution_rate":
              "đơn vị thi hành án", "success_rate": "sở tư pháp"}
REACHED, MISSED, NO_REPORT = "Đạt", "Không đạt", "Chưa có báo cáo"


@dataclass(frozen=True)
class Tally:
    """How many units reached one indicator's target."""

    indicator: str
    reached: int
    assigned: int  # units with a target for it
    not_reported: int


def threshold(target: Target) -> str:
    """ "trên 81,50%" or "từ 81,50% trở lên", as a decision states it."""
    value = wording.percent(target.target)
    return f"từ {value} trở lên" if target.comparator.lower() == "từ" else f"trên {value}"


def verdict(target: Target | None) -> str:
    if target is None:
        return wording.MISSING
    if target.achieved is None:
        return NO_REPORT
    return REACHED if target.achieved else MISSED


def margin_text(target: Target | None) -> str:
    """The margin in a table cell: "+7,49", "−0,51" (điểm phần trăm, said in the head)."""
    if target is None or target.margin is None:
        return wording.MISSING
    shown = format_number(abs(target.margin), 2)
    if shown.strip("0,") == "":
        return "0,00"
    return f"{'+' if target.margin > 0 else '−'}{shown}"


def by_unit(data: ReportData) -> dict[tuple[str, str], Target]:
    """(unit code, indicator) -> the unit's target of the year."""
    return {(t.unit_code, t.indicator): t for t in data.targets or ()}


def tallies(targets: Iterable[Target]) -> list[Tally]:
    """Per indicator, in the order of INDICATOR_TABLE, how many units reached their target."""
    rows = list(targets)
    out = []
    for indicator in INDICATOR_TABLE:
        mine = [t for t in rows if t.indicator == indicator]
        if mine:
            out.append(Tally(indicator, sum(1 for t in mine if t.achieved),
                             len(mine), sum(1 for t in mine if t.achieved is None)))
    return out


def decisions(targets: Iterable[Target]) -> list[tuple[str | None, date | None]]:
    """The decisions the targets come from, as (number, date), in date order."""
    found = {(t.decision_number, t.decision_date) for t in targets}
    return sorted(found, key=lambda d: (d[1] or date.min, d[0] or ""))


def decision_words(number: str | None, day: date | None) -> str:
    """ "Quyết định số 123/QĐ-TCTHADS ngày 15/01/2022"."""
    text = "Quyết định"
    if number:
        text += f" số {number}"
    if day:
        text += f" ngày {wording.vn_date(day)}"
    return text


def absent_words(data: ReportData) -> str:
    """What the report says when it has no target to compare with."""
    if data.targets is None:
        return ("Kho dữ liệu chưa lưu chỉ tiêu được giao, nên báo cáo chưa so sánh kết quả với "
                "chỉ tiêu.")
    return (f"Kho dữ liệu chưa có quyết định giao chỉ tiêu năm {data.year}, nên báo cáo chưa so "
            "sánh kết quả với chỉ tiêu.")

"""The summary in sentences, like the published account of the year: templates filled from the
scope's totals, each figure followed by its change from the year before.

Templates hold the words; figures come in formatted (wording.py) and marked (†) when an open
ERROR issue touches them. Nothing here reads the warehouse.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from orchestration.report import wording
from orchestration.report.compare import Comparison
from orchestration.report.flags import RATE_OPERANDS, ErrorMarks, mark
from orchestration.report.model import Counts
from orchestration.report.tables import rate_of

# {x} is a figure with its change in brackets, {x_plain} the figure alone and {x_change} the
# bracketed change alone (after the words that say what the figure counts).
TEMPLATES: dict[str, str] = {
    "dissemination": (
        "Năm {year}, {subject} đã tổ chức {sessions_plain} cuộc phổ biến, giáo dục pháp luật "
        "trực tiếp{sessions_change} với {attendees_plain} lượt người tham dự{attendees_change}; "
        "phát hành {documents_plain} tài liệu{documents_change}."),
    "mediation": (
        "Các tổ hòa giải ở cơ sở đã tiếp nhận {cases_received_plain} vụ, "
        "việc{cases_received_change}; hòa giải thành {cases_successful_plain}/"
        "{cases_received_plain} vụ, việc{cases_successful_change}, đạt tỷ lệ {success_rate}."),
    "enforcement_cases": (
        "Thi hành án dân sự tính bằng việc: tổng số thụ lý {cases_accepted_plain} "
        "việc{cases_accepted_change}; có điều kiện thi hành {cases_eligible_plain} "
        "việc{cases_eligible_change}; đã giải quyết xong {cases_resolved_plain} "
        "việc{cases_resolved_change}, đạt tỷ lệ {case_resolution_rate}."),
    "enforcement_money": (
        "Tính bằng tiền: tổng số thụ lý {money_accepted}; có điều kiện thi hành "
        "{money_eligible}; đã giải quyết xong {money_resolved}, đạt tỷ lệ "
        "{money_resolution_rate}."),
}
NOT_REPORTED = {
    "dissemination": "Năm {year}, chưa có số liệu phổ biến, giáo dục pháp luật.",
    "mediation": "Chưa có số liệu hòa giải ở cơ sở.",
    "enforcement_cases": "Chưa có số liệu thi hành án dân sự tính bằng việc.",
    "enforcement_money": "Chưa có số liệu thi hành án dân sự tính bằng tiền.",
}
# The figure that says whether a domain reported at all.
PRESENCE = {"dissemination": "sessions", "mediation": "cases_received",
            "enforcement_cases": "cases_eligible", "enforcement_money": "money_eligible"}
SUBJECTS = {"cluster": "các tỉnh trong Khu vực", "national": "các tỉnh, thành phố trên toàn quốc"}


@dataclass(frozen=True)
class Summary:
    paragraphs: tuple[str, ...]
    notes: tuple[str, ...]


def figure(column: str, counts: Counts, comparison: Comparison,
           marks: ErrorMarks) -> tuple[str, str | None]:
    """One figure as the summary prints it and its change: ("24.196", "▲ 2,3%"),
    ("89,68%†", "▼ 0,42 điểm %"); the change is None when there is nothing to compare."""
    if column in RATE_OPERANDS:
        text = wording.percent(rate_of(counts, column))
        delta = wording.rate_change(rate_of(comparison.current, column),
                                    rate_of(comparison.previous, column))
    elif column.startswith("money_"):
        text = wording.money(counts.get(column))
        delta = wording.change(comparison.current.get(column), comparison.previous.get(column))
    else:
        text = wording.count(counts.get(column))
        delta = wording.change(comparison.current.get(column), comparison.previous.get(column))
    return mark(text, marks.any_total(column)), delta


def build_summary(year: int, scope: str, counts: Counts, comparison: Comparison,
                  marks: ErrorMarks) -> Summary:
    paragraphs = []
    for key, template in TEMPLATES.items():
        if counts.get(PRESENCE[key]) is None:
            paragraphs.append(NOT_REPORTED[key].format(year=year))
            continue
        values: dict[str, str] = {"year": str(year), "subject": SUBJECTS[scope]}
        for name in _placeholders(template):
            if name in values:
                continue
            text, delta = figure(_column(name), counts, comparison, marks)
            change = f" ({delta})" if delta else ""
            values[name] = (text if name.endswith("_plain") else change
                            if name.endswith("_change") else text + change)
        paragraphs.append(template.format(**values))
    notes = []
    if comparison.available:
        notes.append(f"Trong ngoặc: mức tăng (▲) hoặc giảm (▼) so với năm "
                     f"{comparison.previous_year}, tính trên cùng địa bàn; tỷ lệ thay đổi "
                     "tính bằng điểm phần trăm.")
    notes += comparison.notes
    if any(marks.any_total(_column(name)) for name in _all_placeholders()):
        notes.append("Số liệu đánh dấu † có lỗi chưa được xử lý (xem mục Chất lượng số liệu).")
    return Summary(tuple(wording.nfc(p) for p in paragraphs), tuple(notes))


def _column(placeholder: str) -> str:
    return placeholder.removesuffix("_plain").removesuffix("_change")


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _all_placeholders() -> set[str]:
    return {n for t in TEMPLATES.values() for n in _placeholders(t)}

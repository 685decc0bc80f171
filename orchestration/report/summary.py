"""The summary in sentences, like the published account of the year: the scope's totals, each
with its change from the year before said in words, on the same land.

When the base is the whole scope, the change follows each figure ("27.430 cuộc (tăng 0,5% so
với năm 2021)"). When only some provinces can be compared (the 2025 mergers), the totals stand
alone and a second sentence gives the figures of the compared provinces with their changes,
saying on what they are computed ("So sánh trên 5/7 tỉnh có số liệu cả hai năm: ..."). A figure
or a change resting on an open error, in year N or in N-1, is marked (†). Nothing here reads the
warehouse.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from orchestration.report import targets as tg
from orchestration.report import wording
from orchestration.report.compare import Basis, Comparison
from orchestration.report.flags import RATE_OPERANDS, YearMarks, mark
from orchestration.report.model import ReportData
from orchestration.report.tables import change_of, rate_of

TEMPLATES: dict[str, str] = {
    "dissemination": (
        "Năm {year}, {subject} đã tổ chức {sessions} cuộc phổ biến, giáo dục pháp luật trực "
        "tiếp{sessions_change} với {attendees} lượt người tham dự{attendees_change}; phát hành "
        "{documents} tài liệu{documents_change}."),
    "mediation": (
        "Các tổ hòa giải ở cơ sở đã tiếp nhận {cases_received} vụ, việc{cases_received_change}; "
        "hòa giải thành {cases_successful}/{cases_received} vụ, việc{cases_successful_change}, "
        "đạt tỷ lệ {success_rate}{success_rate_change}."),
    "enforcement_cases": (
        "Thi hành án dân sự tính bằng việc: tổng số thụ lý {cases_accepted} "
        "việc{cases_accepted_change}; có điều kiện thi hành {cases_eligible} "
        "việc{cases_eligible_change}; đã giải quyết xong {cases_resolved} "
        "việc{cases_resolved_change}, đạt tỷ lệ {case_resolution_rate}"
        "{case_resolution_rate_change}."),
    "enforcement_money": (
        "Tính bằng tiền: tổng số thụ lý {money_accepted}{money_accepted_change}; có điều kiện "
        "thi hành {money_eligible}{money_eligible_change}; đã giải quyết xong "
        "{money_resolved}{money_resolved_change}, đạt tỷ lệ {money_resolution_rate}"
        "{money_resolution_rate_change}."),
}
# On a partial base: the compared provinces' figures, each with what it counts.
BASIS_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "dissemination": (("sessions", "{} cuộc"), ("attendees", "{} lượt người tham dự"),
                      ("documents", "{} tài liệu")),
    "mediation": (("cases_received", "{} vụ, việc tiếp nhận"),
                  ("cases_successful", "{} vụ, việc hòa giải thành"),
                  ("success_rate", "tỷ lệ {}")),
    "enforcement_cases": (("cases_eligible", "{} việc có điều kiện thi hành"),
                          ("cases_resolved", "{} việc giải quyết xong"),
                          ("case_resolution_rate", "tỷ lệ {}")),
    "enforcement_money": (("money_eligible", "{} có điều kiện thi hành"),
                          ("money_resolved", "{} giải quyết xong"),
                          ("money_resolution_rate", "tỷ lệ {}")),
}
NOT_REPORTED = {
    "dissemination": "Năm {year}, chưa có số liệu phổ biến, giáo dục pháp luật.",
    "mediation": "Chưa có số liệu hòa giải ở cơ sở.",
    "enforcement_cases": "Chưa có số liệu thi hành án dân sự tính bằng việc.",
    "enforcement_money": "Chưa có số liệu thi hành án dân sự tính bằng tiền.",
}
PRESENCE = {"dissemination": "sessions", "mediation": "cases_received",
            "enforcement_cases": "cases_eligible", "enforcement_money": "money_eligible"}
DOMAIN_OF = {"dissemination": "dissemination", "mediation": "mediation",
             "enforcement_cases": "enforcement", "enforcement_money": "enforcement"}
SUBJECTS = {"cluster": "các tỉnh trong Khu vực", "national": "các tỉnh, thành phố trên toàn quốc"}


@dataclass(frozen=True)
class Summary:
    paragraphs: tuple[str, ...]
    notes: tuple[str, ...]


def figure_text(column: str, value_counts: dict, marked: bool) -> str:
    if column in RATE_OPERANDS:
        text = wording.percent(rate_of(value_counts, column))
    elif column.startswith("money_"):
        text = wording.money(value_counts.get(column))
    else:
        text = wording.count(value_counts.get(column))
    return mark(text, marked)


def change_text(column: str, basis: Basis, marks: YearMarks, year: int) -> str | None:
    """ "tăng 2,4%†" for `column` on `basis`; None when there is nothing to compare."""
    words = wording.change_words(change_of(column, basis.current, basis.previous),
                                 is_rate=column in RATE_OPERANDS)
    if words is None:
        return None
    touched = (marks.of(year).any_of(basis.current_codes, column)
               or marks.of(year - 1).any_of(basis.previous_codes, column))
    return mark(words, touched)


def _paragraph(key: str, data: ReportData, comparison: Comparison, marks: YearMarks) -> list[str]:
    counts = data.totals.counts
    if counts.get(PRESENCE[key]) is None:
        return [NOT_REPORTED[key].format(year=data.year)]
    basis = comparison.bases.get(DOMAIN_OF[key])
    inline = basis is not None and not basis.partial
    values: dict[str, str] = {"year": str(data.year), "subject": SUBJECTS[data.scope]}
    said_year = False
    for name in _placeholders(TEMPLATES[key]):
        if name in values:
            continue
        column = name.removesuffix("_change")
        if name.endswith("_change"):
            change = change_text(column, basis, marks, data.year) if inline and basis else None
            suffix = "" if said_year else f" so với năm {comparison.previous_year}"
            values[name] = f" ({change}{suffix})" if change else ""
            said_year = said_year or bool(change)
        else:
            values[name] = figure_text(column, counts, marks.of(data.year).any_total(column))
    out = [TEMPLATES[key].format(**values)]
    if basis is not None and basis.partial and basis.current_codes:
        out.append(_basis_sentence(key, basis, marks, data.year, comparison.previous_year))
    return out


def _basis_sentence(key: str, basis: Basis, marks: YearMarks, year: int,
                    previous_year: int) -> str:
    parts = []
    for i, (column, words) in enumerate(BASIS_ITEMS[key]):
        figure = figure_text(column, basis.current, marks.of(year).any_of(basis.current_codes,
                                                                          column))
        change = change_text(column, basis, marks, year)
        text = words.format(figure)
        if change:
            text += f", {change}" + (f" so với năm {previous_year}" if i == 0 else "")
        parts.append(text)
    return f"So sánh trên {basis.words}: {'; '.join(parts)}."


def _targets_sentence(data: ReportData, marks: YearMarks) -> str:
    if not data.targets:
        return tg.absent_words(data)
    touched = {t.indicator for t in data.targets
               if marks.of(data.year).cell(tg.INDICATOR_TABLE[t.indicator], t.province_code,
                                           t.indicator)}
    parts = []
    for tally in tg.tallies(data.targets):
        goals = {tg.threshold(t) for t in data.targets if t.indicator == tally.indicator}
        text = (f"{tally.reached}/{tally.assigned} {tg.UNIT_WORDS[tally.indicator]} đạt và vượt "
                f"chỉ tiêu {tg.INDICATOR_WORDS[tally.indicator]}")
        if len(goals) == 1:
            text += f" ({next(iter(goals))})"
        if tally.not_reported:
            text += f", {tally.not_reported} đơn vị chưa có báo cáo"
        parts.append(mark(text, tally.indicator in touched))
    sentence = "; ".join(parts)
    return f"Về chỉ tiêu được giao: {sentence}."


def build_summary(data: ReportData, comparison: Comparison, marks: YearMarks) -> Summary:
    paragraphs: list[str] = []
    for key in TEMPLATES:
        paragraphs += _paragraph(key, data, comparison, marks)
    paragraphs.append(_targets_sentence(data, marks))
    notes = []
    if comparison.available:
        notes.append(f"Mức tăng, giảm so với năm {comparison.previous_year} được tính trên cùng "
                     "địa bàn; thay đổi của một tỷ lệ tính bằng điểm phần trăm.")
    notes += comparison.notes
    if any("†" in p for p in paragraphs):
        notes.append("Số liệu đánh dấu † dựa trên số liệu có lỗi chưa được xử lý, của năm "
                     f"{data.year} hoặc năm so sánh (xem mục Chất lượng số liệu).")
    return Summary(tuple(wording.nfc(p) for p in paragraphs), tuple(notes))


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]

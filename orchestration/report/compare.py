"""Year-on-year changes on the same territory, and what to say when it is not the same.

When the scope had the same member provinces, all reporting, in both years, the scope's totals
are compared directly. Otherwise (the 2025 mergers, a province that did not report) the
comparison runs on current boundaries (the `*_current_boundaries` marts): a current province is
compared when both years cover the same territory (the same source provinces, or the whole of
it both times); the others are left out and named in a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestration.report import wording
from orchestration.report.model import BoundaryRow, Counts, Province, ReportData, YearTotals
from orchestration.report.read import DOMAIN_COUNTS


@dataclass(frozen=True)
class Comparison:
    """The base of the changes printed in the summary: counts of N and N-1 on one territory."""

    previous_year: int
    current: Counts
    previous: Counts
    notes: tuple[str, ...]
    available: bool = True


def compare(data: ReportData) -> Comparison:
    previous_year = data.year - 1
    before = next((t for t in data.history if t.year == previous_year), None)
    if before is None:
        return Comparison(previous_year, {}, {}, (
            f"Kho chưa có số liệu năm {previous_year} để so sánh.",), available=False)
    if _same_territory(before, data.totals):
        return Comparison(previous_year, data.totals.counts, before.counts, ())
    current: Counts = {}
    previous: Counts = {}
    merged: dict[str, str] = {}  # current province -> its territory last year, when different
    left_out: dict[str, str] = {}  # domain -> the provinces not compared, and why
    for domain in DOMAIN_COUNTS:
        rows_now = _scope_rows(data, data.year, domain)
        rows_before = {r.current_code: r for r in data.boundaries[previous_year][domain]}
        kept, dropped = [], []
        for row in rows_now:
            old = rows_before.get(row.current_code)
            if old is not None and (old.source_codes == row.source_codes
                                    or (old.complete and row.complete)):
                kept.append((row, old))
                if old.source_codes != row.source_codes:
                    merged[row.current_name] = _former(data, old)
            else:
                why = ("chưa có số liệu" if old is None else
                       f"chỉ có số liệu của {_former(data, old)}")
                dropped.append(f"{_short(row.current_name)} (năm {previous_year} {why})")
        current.update(_sum([r for r, _ in kept], DOMAIN_COUNTS[domain]))
        previous.update(_sum([o for _, o in kept], DOMAIN_COUNTS[domain]))
        if dropped:
            left_out[domain] = wording.join(dropped)
    notes = [f"Vì địa bàn năm {data.year} khác năm {previous_year}, mức thay đổi được tính "
             "trên cùng địa bàn theo địa giới hành chính hiện nay."]
    notes += _merged_notes(merged, previous_year)
    if len(set(left_out.values())) == 1 and len(left_out) == len(DOMAIN_COUNTS):
        notes.append(f"Mức thay đổi không tính {next(iter(left_out.values()))}.")
    else:
        notes += [f"Mức thay đổi về {_DOMAIN_WORDS[d]} không tính {text}."
                  for d, text in left_out.items()]
    return Comparison(previous_year, current, previous, tuple(notes))


def _merged_notes(merged: dict[str, str], previous_year: int) -> list[str]:
    """Which current provinces were put together from last year's: each one when they are
    few, else how many and one example (a national report after 2025 has 23)."""
    lines = [f"{name} năm {previous_year} gồm địa bàn {former}."
             for name, former in sorted(merged.items())]
    if len(lines) <= 3:
        return lines
    name, former = sorted(merged.items())[0]
    return [f"Số liệu năm {previous_year} của {wording.count(len(lines))} tỉnh, thành phố "
            f"hợp nhất được cộng từ các tỉnh cũ (ví dụ: {name} gồm địa bàn {former})."]


def _same_territory(before: YearTotals, now: YearTotals) -> bool:
    return (before.member_codes == now.member_codes
            and before.reporting_codes == now.reporting_codes == now.member_codes)


def _scope_rows(data: ReportData, year: int, domain: str) -> list[BoundaryRow]:
    """The current-boundary rows whose territory holds a member province of the year."""
    members = set(data.totals.member_codes)
    return sorted((r for r in data.boundaries[year][domain] if members & set(r.source_codes)),
                  key=lambda r: r.current_code)


def _sum(rows: Sequence[BoundaryRow], columns: Sequence[str]) -> Counts:
    out: Counts = {}
    for column in columns:
        values = [r.counts.get(column) for r in rows]
        out[column] = None if not rows or any(v is None for v in values) else sum(
            v for v in values if v is not None)
    return out


_DOMAIN_WORDS = {"dissemination": "phổ biến, giáo dục pháp luật", "mediation": "hòa giải",
                 "enforcement": "thi hành án dân sự"}


def _short(name: str) -> str:
    return Province("", name).short_name


def _former(data: ReportData, row: BoundaryRow) -> str:
    """The source provinces of a previous-year row by the names they had: "Hà Giang và Tuyên
    Quang cũ" (a predecessor that shares the current province's name is "cũ")."""
    names = []
    for code in row.source_codes:
        province = data.previous_provinces.get(code)
        name = province.short_name if province else code
        if name == _short(row.current_name) and (code != row.current_code
                                                  or len(row.source_codes) > 1):
            name += " cũ"
        names.append(name)
    return wording.join(names)

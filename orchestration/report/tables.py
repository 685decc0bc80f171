"""The per-province tables: one per domain, provinces ranked, the scope's total row last.

Rates are recomputed from counts (the total's from the totals, never averaged). Where the unit
printed a rate that differs from the recomputed one at the unit's own precision, both are shown.
Each row has its change from N-1 on the same land, and the enforcement tables the unit's target,
the margin and whether it was reached. A province whose ranking rate rests on an open error is
listed after the ranked ones, unranked: a figure that breaks a rule does not come first.
A table is plain data (`Table`): the HTML, the PDF and the workbook show the same rows; `values`
hold the numbers behind the cells for the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orchestration.report import targets as tg
from orchestration.report import wording
from orchestration.report.compare import Comparison, base_of
from orchestration.report.flags import RATE_OPERANDS, YearMarks, mark
from orchestration.report.model import Counts, FactRow, ReportData
from orchestration.report.wording import MISSING


@dataclass(frozen=True)
class Column:
    name: str  # a public column, or a rate of RATE_OPERANDS
    header: str


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    domain: str
    columns: tuple[Column, ...]
    rank_by: str  # the column whose value (highest first) ranks the provinces
    money: bool = False
    # columns shown only when the year has no targets to show instead
    without_targets: tuple[Column, ...] = ()


SPECS: tuple[TableSpec, ...] = (
    TableSpec("dissemination", "Phổ biến, giáo dục pháp luật", "dissemination", (
        Column("sessions", "Số cuộc phổ biến"), Column("attendees", "Lượt người tham dự"),
        Column("documents", "Tài liệu phát hành"), Column("legal_reporters", "Báo cáo viên"),
        Column("legal_propagandists", "Tuyên truyền viên")), rank_by="sessions"),
    TableSpec("mediation", "Hòa giải ở cơ sở", "mediation", (
        Column("teams", "Tổ hòa giải"), Column("mediators", "Hòa giải viên"),
        Column("cases_received", "Vụ, việc tiếp nhận"),
        Column("cases_successful", "Hòa giải thành"),
        Column("cases_unsuccessful", "Hòa giải không thành"),
        Column("cases_pending", "Đang hòa giải"),
        Column("success_rate", "Tỷ lệ hòa giải thành")), rank_by="success_rate"),
    TableSpec("enforcement_cases", "Thi hành án dân sự tính bằng việc", "enforcement", (
        Column("cases_accepted", "Tổng số thụ lý"),
        Column("cases_eligible", "Có điều kiện thi hành"),
        Column("cases_resolved", "Giải quyết xong"),
        Column("case_resolution_rate", "Tỷ lệ giải quyết xong")),
        rank_by="case_resolution_rate",
        without_targets=(Column("cases_to_enforce", "Phải thi hành"),
                         Column("cases_carried_forward", "Chuyển kỳ sau"))),
    TableSpec("enforcement_money", "Thi hành án dân sự tính bằng tiền", "enforcement", (
        Column("money_accepted", "Tổng số thụ lý"),
        Column("money_eligible", "Có điều kiện thi hành"),
        Column("money_resolved", "Giải quyết xong"),
        Column("money_resolution_rate", "Tỷ lệ giải quyết xong")),
        rank_by="money_resolution_rate", money=True,
        without_targets=(Column("money_to_enforce", "Phải thi hành"),
                         Column("money_carried_forward", "Chuyển kỳ sau"))),
)
UNRANKED = MISSING


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...]
    unit: str  # what the figures count, said above the table
    notes: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = ()
    values: tuple[tuple[Any, ...], ...] = ()  # the numbers behind `rows`, for the workbook
    total_values: tuple[Any, ...] = ()


def rate_of(counts: Counts, rate: str) -> Decimal | None:
    """A rate of RATE_OPERANDS recomputed from its operands."""
    numerator, denominator = RATE_OPERANDS[rate]
    return wording.rate(counts.get(numerator), counts.get(denominator))


def value_of(counts: Counts, column: str) -> Decimal | int | None:
    """A count, or a rate recomputed from its operands."""
    return rate_of(counts, column) if column in RATE_OPERANDS else counts.get(column)


def change_of(column: str, now: Counts | None, before: Counts | None) -> Decimal | None:
    """The change of a figure: per cent for a count, percentage points for a rate."""
    if now is None or before is None:
        return None
    if column in RATE_OPERANDS:
        return wording.points(rate_of(now, column), rate_of(before, column))
    return wording.relative(now.get(column), before.get(column))


def rank(values: dict[str, Decimal | int | None]) -> list[tuple[int | None, str]]:
    """Codes ranked by value, highest first, ties sharing a rank (1, 2, 2, 4); codes without a
    value last and unranked. Ties and gaps are ordered by code, so the order is stable."""
    present = {code: v for code, v in values.items() if v is not None}
    ranked = sorted(present, key=lambda code: (-present[code], code))
    out: list[tuple[int | None, str]] = []
    for position, code in enumerate(ranked, start=1):
        tied = bool(out) and present[out[-1][1]] == present[code]
        out.append((out[-1][0] if tied else position, code))
    out += [(None, code) for code in sorted(c for c, v in values.items() if v is None)]
    return out


def differs(recomputed: Decimal | None, reported: float, decimals: int) -> bool:
    """True when the unit's printed rate is not the recomputed one at the unit's precision."""
    if recomputed is None:
        return True
    return wording.percent(recomputed, decimals) != wording.percent(reported, decimals)


def _number(spec: TableSpec, unit: str, column: str, value: Decimal | int | None) -> str:
    if column in RATE_OPERANDS:
        return wording.percent(value)
    number = None if value is None else int(value)
    return wording.money_number(number, unit) if spec.money else wording.count(number)


def _raw(spec: TableSpec, unit: str, column: str, value: Decimal | int | None) -> Any:
    """The number behind a cell: counts as int, rates unrounded, money in the table's unit."""
    if value is None:
        return None
    if column in RATE_OPERANDS:
        return float(value)
    if spec.money:
        return float(Decimal(int(value)) * 1000 / wording.money_divisor(unit))
    return int(value)


@dataclass(frozen=True)
class _Context:
    data: ReportData
    marks: YearMarks
    comparison: Comparison
    with_targets: bool


def build_table(spec: TableSpec, number: int, ctx: _Context) -> Table:
    data, marks = ctx.data, ctx.marks
    now_marks, before_marks = marks.of(data.year), marks.of(data.year - 1)
    facts: dict[str, FactRow] = {row.province_code: row for row in data.facts[spec.domain]}
    ctx = _Context(data, marks, ctx.comparison,
                   spec.rank_by in {t.indicator for t in data.targets or ()})
    columns = spec.columns + (() if ctx.with_targets else spec.without_targets)
    unit = (wording.money_unit([f.counts.get(columns[0].name) for f in facts.values()])
            if spec.money else "")
    changed = spec.rank_by if spec.rank_by in RATE_OPERANDS else columns[0].name
    is_rate = changed in RATE_OPERANDS
    goals = tg.by_unit(data) if ctx.with_targets else {}
    both_rates = unranked = False
    rows, values = [], []
    order = rank({code: (value_of(facts[code].counts, spec.rank_by) if code in facts
                         and not now_marks.cell(spec.key, code, spec.rank_by) else None)
                  for code in data.totals.member_codes})
    for position, code in order:
        name = mark(data.provinces[code].short_name, now_marks.row(spec.key, code))
        fact = facts.get(code)
        if fact is None:
            blank = ["chưa có báo cáo"] + [""] * (len(columns) - 1)
            extra = [""] + ([""] * 3 if ctx.with_targets else [])
            rows.append((MISSING, name, *blank, *extra))
            values.append((None, name, *([None] * (len(columns) + len(extra)))))
            continue
        cells, raws = [], []
        for column in columns:
            value = value_of(fact.counts, column.name)
            text = _number(spec, unit, column.name, value)
            reported = fact.reported_rates.get(column.name)
            if reported and differs(rate_of(fact.counts, column.name), reported.value,
                                    reported.decimals):
                text += f" (đơn vị ghi {wording.percent(reported.value, reported.decimals)})"
                both_rates = True
            cells.append(mark(text, now_marks.cell(spec.key, code, column.name)))
            raws.append(_raw(spec, unit, column.name, value))
        base = base_of(data, spec.domain, code)
        delta = change_of(changed, fact.counts, base.counts)
        touched = (now_marks.cell(spec.key, code, changed)
                   or before_marks.any_of(base.codes, changed))
        cells.append(mark(wording.change_arrow(delta, is_rate=is_rate),
                          touched and delta is not None))
        raws.append(None if delta is None else float(delta))
        if ctx.with_targets:
            goal = goals.get((fact.unit_code, spec.rank_by))
            rests = now_marks.cell(spec.key, code, spec.rank_by) and goal is not None
            cells += [tg.threshold(goal) if goal else MISSING,
                      mark(tg.margin_text(goal), rests), mark(tg.verdict(goal), rests)]
            raws += [goal.target if goal else None, goal.margin if goal else None,
                     tg.verdict(goal) if goal else None]
        if position is None:
            unranked = True
        rank_text = str(position) if position is not None else UNRANKED
        rows.append((rank_text, name, *cells))
        values.append((position, name, *raws))
    total, total_values = _total(spec, ctx, columns, unit, changed, is_rate)
    return Table(
        key=spec.key, title=f"Bảng {number}. {spec.title} theo tỉnh, năm {data.year}",
        header=("Hạng", _place_header(data.scope), *(c.header for c in columns),
                _change_header(changed, data.year - 1),
                *(("Chỉ tiêu", "Chênh lệch với chỉ tiêu", "Kết quả")
                  if ctx.with_targets else ())),
        rows=tuple(rows), total=total, values=tuple(values), total_values=total_values,
        notes=_notes(spec, ctx, both_rates, unranked, facts, unit, columns),
        unit=(f"Đơn vị tính: {unit}; tỷ lệ: %; thay đổi của tỷ lệ: điểm phần trăm" if spec.money
              else _count_unit(spec)),
        numeric=(True, False, *(True for _ in columns), True,
                 *((False, True, False) if ctx.with_targets else ())),
    )


def _total(spec: TableSpec, ctx: _Context, columns: tuple[Column, ...], unit: str,
           changed: str, is_rate: bool) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    data, marks = ctx.data, ctx.marks
    counts = data.totals.counts
    basis = ctx.comparison.bases.get(spec.domain)
    delta = change_of(changed, basis.current, basis.previous) if basis else None
    touched = bool(basis) and (marks.of(data.year).any_of(basis.current_codes, changed)
                               or marks.of(data.year - 1).any_of(basis.previous_codes, changed))
    cells = [mark(_number(spec, unit, c.name, value_of(counts, c.name)),
                  marks.of(data.year).total(spec.key, c.name)) for c in columns]
    change = mark(wording.change_arrow(delta, is_rate=is_rate), touched and delta is not None)
    tail = ("", "", "") if ctx.with_targets else ()
    raws = [_raw(spec, unit, c.name, value_of(counts, c.name)) for c in columns]
    return (("", total_label(data.scope), *cells, change, *tail),
            (None, total_label(data.scope), *raws, None if delta is None else float(delta),
             *((None,) * len(tail))))


def _notes(spec: TableSpec, ctx: _Context, both_rates: bool, unranked: bool,
           facts: dict[str, FactRow], unit: str, columns: tuple[Column, ...]) -> tuple[str, ...]:
    data = ctx.data
    notes = []
    if both_rates:
        notes.append("Tỷ lệ được tính lại từ số liệu; trong ngoặc là tỷ lệ đơn vị ghi trong báo "
                     "cáo, khác với tỷ lệ tính lại.")
    if unranked:
        notes.append("Tỉnh có tỷ lệ dựa trên số liệu đánh dấu † (có lỗi chưa được xử lý) không "
                     "được xếp hạng (—).")
    basis = ctx.comparison.bases.get(spec.domain)
    if basis is not None and basis.partial and basis.current_codes:
        notes.append(f"Mức thay đổi của dòng tổng so sánh trên {basis.words}.")
    if spec.money and _rounding_shows(spec, data, facts, unit, columns):
        notes.append("Số liệu được làm tròn đến một chữ số thập phân nên tổng các tỉnh có thể "
                     "chênh lệch nhỏ so với dòng tổng.")
    if ctx.with_targets:
        notes.append("Chênh lệch với chỉ tiêu là tỷ lệ đạt được trừ chỉ tiêu, tính bằng điểm phần "
                     "trăm; “trên” là phải cao hơn chỉ "
                     "tiêu, “từ … trở lên” là bằng hoặc cao hơn.")
    return tuple(notes)


def _rounding_shows(spec: TableSpec, data: ReportData, facts: dict[str, FactRow], unit: str,
                    columns: tuple[Column, ...]) -> bool:
    """Whether the printed provinces' money adds to something other than the printed total."""
    divisor = wording.money_divisor(unit)
    for column in columns:
        if column.name in RATE_OPERANDS:
            continue
        parts = [f.counts.get(column.name) for f in facts.values()]
        total = data.totals.counts.get(column.name)
        if total is None or any(p is None for p in parts):
            continue
        shown = sum(_tenths(Decimal(p) * 1000 / divisor) for p in parts if p is not None)
        if shown != _tenths(Decimal(total) * 1000 / divisor):
            return True
    return False


def _tenths(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # as format_number rounds


def _change_header(column: str, previous_year: int) -> str:
    return f"{'Tỷ lệ' if column in RATE_OPERANDS else 'Số cuộc'} so với năm {previous_year}"


def _count_unit(spec: TableSpec) -> str:
    return {"dissemination": "Đơn vị tính: cuộc, lượt người, tài liệu, người",
            "mediation": "Đơn vị tính: tổ, người, vụ việc; tỷ lệ: %; thay đổi của tỷ lệ: "
                         "điểm phần trăm",
            "enforcement": "Đơn vị tính: việc; tỷ lệ: %; thay đổi của tỷ lệ: điểm phần trăm",
            }[spec.domain]


def total_label(scope: str) -> str:
    """The name of the total row and of the line the charts draw for it."""
    return "Toàn quốc" if scope == "national" else "Toàn Khu vực"


def _place_header(scope: str) -> str:
    return "Tỉnh, thành phố" if scope == "national" else "Tỉnh"


def build_tables(data: ReportData, marks: YearMarks, comparison: Comparison,
                 first_number: int = 1) -> tuple[Table, ...]:
    ctx = _Context(data, marks, comparison, False)  # each table sees whether it has targets
    return tuple(build_table(spec, first_number + i, ctx) for i, spec in enumerate(SPECS))

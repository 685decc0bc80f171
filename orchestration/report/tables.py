"""The per-province tables: one per domain, provinces ranked, the scope's total row last.

Rates are recomputed from counts (the total's from the totals, never averaged). Where the unit
printed a rate that differs from the recomputed one at the unit's own precision, both are shown.
A table is plain data (`Table`): the HTML and the PDF lay out the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from orchestration.report import wording
from orchestration.report.flags import RATE_OPERANDS, ErrorMarks, mark
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


SPECS: tuple[TableSpec, ...] = (
    TableSpec("dissemination", "Phổ biến, giáo dục pháp luật", "dissemination", (
        Column("sessions", "Số cuộc"), Column("attendees", "Lượt người"),
        Column("documents", "Tài liệu"), Column("legal_reporters", "Báo cáo viên"),
        Column("legal_propagandists", "Tuyên truyền viên")), rank_by="sessions"),
    TableSpec("mediation", "Hòa giải ở cơ sở", "mediation", (
        Column("teams", "Tổ hòa giải"), Column("mediators", "Hòa giải viên"),
        Column("cases_received", "Tiếp nhận"), Column("cases_successful", "Thành"),
        Column("cases_unsuccessful", "Không thành"), Column("cases_pending", "Đang giải quyết"),
        Column("success_rate", "Tỷ lệ thành")), rank_by="success_rate"),
    TableSpec("enforcement_cases", "Thi hành án dân sự tính bằng việc", "enforcement", (
        Column("cases_accepted", "Thụ lý"), Column("cases_to_enforce", "Phải thi hành"),
        Column("cases_eligible", "Có điều kiện"), Column("cases_resolved", "Giải quyết xong"),
        Column("cases_carried_forward", "Chuyển kỳ sau"),
        Column("case_resolution_rate", "Tỷ lệ giải quyết")), rank_by="case_resolution_rate"),
    TableSpec("enforcement_money", "Thi hành án dân sự tính bằng tiền", "enforcement", (
        Column("money_accepted", "Thụ lý"), Column("money_to_enforce", "Phải thi hành"),
        Column("money_eligible", "Có điều kiện"), Column("money_resolved", "Giải quyết xong"),
        Column("money_carried_forward", "Chuyển kỳ sau"),
        Column("money_resolution_rate", "Tỷ lệ giải quyết")), rank_by="money_resolution_rate",
        money=True),
)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...]
    unit: str  # what the figures count, said above the table
    notes: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = field(default=())


def rate_of(counts: Counts, rate: str) -> Decimal | None:
    """A rate of RATE_OPERANDS recomputed from its operands."""
    numerator, denominator = RATE_OPERANDS[rate]
    return wording.rate(counts.get(numerator), counts.get(denominator))


def value_of(counts: Counts, column: str) -> Decimal | int | None:
    """A count, or a rate recomputed from its operands."""
    return rate_of(counts, column) if column in RATE_OPERANDS else counts.get(column)


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


def build_table(spec: TableSpec, data: ReportData, marks: ErrorMarks) -> Table:
    facts: dict[str, FactRow] = {row.province_code: row for row in data.facts[spec.domain]}
    members = data.members
    unit = (wording.money_unit([f.counts.get(spec.columns[0].name) for f in facts.values()])
            if spec.money else "")
    fmt = _formatter(spec, unit)
    both_rates = False
    rows = []
    order = rank({p.code: (value_of(facts[p.code].counts, spec.rank_by) if p.code in facts
                           else None) for p in members})
    for position, code in order:
        province = data.provinces[code]
        name = mark(province.short_name, marks.row(spec.key, code))
        fact = facts.get(code)
        if fact is None:
            rows.append((MISSING, name, *(["chưa có báo cáo"] + [""] * (len(spec.columns) - 1))))
            continue
        cells = []
        for column in spec.columns:
            value = value_of(fact.counts, column.name)
            text = fmt(column.name, value)
            reported = fact.reported_rates.get(column.name)
            if reported and differs(rate_of(fact.counts, column.name), reported.value,
                                    reported.decimals):
                text += f" (ĐV: {wording.percent(reported.value, reported.decimals)})"
                both_rates = True
            cells.append(mark(text, marks.cell(spec.key, code, column.name)))
        rows.append((str(position), name, *cells))
    total = ("", total_label(data.scope), *(
        mark(fmt(c.name, value_of(data.totals.counts, c.name)), marks.total(spec.key, c.name))
        for c in spec.columns))
    notes: tuple[str, ...] = ()
    if both_rates:
        notes = ("Tỷ lệ tính lại từ số liệu; “ĐV:” là tỷ lệ đơn vị ghi trong báo cáo, "
                 "khác với tỷ lệ tính lại.",)
    return Table(
        key=spec.key, title=spec.title,
        header=("TT", _place_header(data.scope), *(c.header for c in spec.columns)),
        rows=tuple(rows), total=total, notes=notes,
        unit=f"Đơn vị tính: {unit}" if spec.money else _count_unit(spec),
        numeric=(True, False, *(True for _ in spec.columns)),
    )


def _formatter(spec: TableSpec, unit: str) -> Callable[[str, Decimal | int | None], str]:
    def fmt(column: str, value: Decimal | int | None) -> str:
        if column in RATE_OPERANDS:
            return wording.percent(value)
        number = None if value is None else int(value)
        return wording.money_number(number, unit) if spec.money else wording.count(number)
    return fmt


def _count_unit(spec: TableSpec) -> str:
    return {"dissemination": "Đơn vị tính: cuộc, lượt người, tài liệu, người",
            "mediation": "Đơn vị tính: tổ, người, vụ việc",
            "enforcement": "Đơn vị tính: việc"}[spec.domain]


def total_label(scope: str) -> str:
    """The name of the total row and of the line the charts draw for it."""
    return "Toàn quốc" if scope == "national" else "Toàn Khu vực"


def _place_header(scope: str) -> str:
    return "Tỉnh, thành phố" if scope == "national" else "Tỉnh"


def build_tables(data: ReportData, marks: ErrorMarks) -> tuple[Table, ...]:
    return tuple(build_table(spec, data, marks) for spec in SPECS)

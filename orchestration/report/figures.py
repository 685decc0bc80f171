"""What each chart of the report shows and says: rates by province against the total and the
target, and the main totals and rates over the years (charts.py draws them).

The numbers in a chart's labels and in its text alternative come from the same strings, so the
two cannot disagree. A trend breaks where the scope's land changed (the 2025 mergers of the
cluster) and says so; the national series covers the same land every year and runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orchestration.report import targets as tg
from orchestration.report import wording
from orchestration.report.charts import INK, TARGET, Chart, Dot, Point, Rule, dot_plot, trend_panel
from orchestration.report.charts import Panel as ChartPanel
from orchestration.report.flags import YearMarks, mark
from orchestration.report.model import ReportData
from orchestration.report.tables import rate_of, total_label

FLAGGED = "Có lỗi chưa xử lý (†)"
PLAIN = "Tỷ lệ của tỉnh"


@dataclass(frozen=True)
class RateChart:
    key: str
    domain: str
    rate: str
    table: str
    what: str  # "tỷ lệ giải quyết xong về việc"
    formula: str
    reporters: str


RATE_CHARTS = (
    RateChart("cases", "enforcement", "case_resolution_rate", "enforcement_cases",
              "tỷ lệ giải quyết xong về việc",
              "số việc giải quyết xong trên số việc có điều kiện thi hành",
              "các cơ quan thi hành án dân sự"),
    RateChart("money", "enforcement", "money_resolution_rate", "enforcement_money",
              "tỷ lệ giải quyết xong về tiền",
              "số tiền giải quyết xong trên số tiền có điều kiện thi hành",
              "các cơ quan thi hành án dân sự"),
    RateChart("mediation", "mediation", "success_rate", "mediation", "tỷ lệ hòa giải thành",
              "số vụ, việc hòa giải thành trên số vụ, việc tiếp nhận", "các sở tư pháp"),
)
# (column, panel title, how a value is printed: "count" | "money" | "rate")
TREND = (
    ("sessions", "Số cuộc phổ biến, giáo dục pháp luật (cuộc)", "count"),
    ("documents", "Tài liệu phát hành (tài liệu)", "count"),
    ("cases_received", "Vụ, việc hòa giải tiếp nhận", "count"),
    ("success_rate", "Tỷ lệ hòa giải thành (%)", "rate"),
    ("cases_resolved", "Việc thi hành án giải quyết xong (việc)", "count"),
    ("case_resolution_rate", "Tỷ lệ giải quyết xong về việc (%)", "rate"),
    ("money_resolved", "Tiền thi hành án giải quyết xong (tỷ đồng)", "money"),
    ("money_resolution_rate", "Tỷ lệ giải quyết xong về tiền (%)", "rate"),
)


def rate_chart(spec: RateChart, number: int, data: ReportData, marks: YearMarks) -> Chart | None:
    now = marks.of(data.year)
    goals = tg.by_unit(data)
    dots = []
    for fact in data.facts[spec.domain]:
        value = rate_of(fact.counts, spec.rate)
        if value is None:
            continue
        flagged = now.cell(spec.table, fact.province_code, spec.rate)
        goal = goals.get((fact.unit_code, spec.rate))
        status = (FLAGGED if flagged else PLAIN if goal is None or goal.achieved is None
                  else "Đạt chỉ tiêu" if goal.achieved else "Không đạt chỉ tiêu")
        dots.append(Dot(data.provinces[fact.province_code].short_name, _rate(value),
                        mark(wording.percent(value), flagged), status,
                        goal.target if goal else None))
    if not dots:
        return None
    total = rate_of(data.totals.counts, spec.rate)
    label = total_label(data.scope)
    rules = []
    if total is not None:
        rules.append(Rule(_rate(total), mark(f"{label} {wording.percent(total)}",
                                             now.total(spec.table, spec.rate)), True, INK))
    mine = [t for t in data.targets or () if t.indicator == spec.rate]
    common = {(t.comparator, t.target) for t in mine}
    if len(common) == 1:
        rules.append(Rule(mine[0].target, f"Chỉ tiêu {tg.threshold(mine[0])}", False, TARGET))
    panel = dot_plot(dots, rules, ticks=len(common) > 1)
    return Chart(f"rate-{spec.key}", number, _rate_title(spec, number, dots, rules, mine),
                 units=f"Tỷ lệ (%) = {spec.formula}, tính lại từ số liệu; năm {data.year}.",
                 source=_source(data, f"báo cáo năm {data.year} của {spec.reporters}", mine),
                 alt=_rate_alt(number, dots, rules, mine), panels=(panel,),
                 notes=_rate_notes(dots, rules, len(common) > 1))


def _rate(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def _rate_title(spec: RateChart, number: int, dots: list[Dot], rules: list[Rule],
                mine: list) -> str:
    total = rules[0].label.split(" ")[-1] if rules else wording.MISSING
    if mine:
        reached = sum(1 for t in mine if t.achieved)
        return (f"Biểu đồ {number}. {reached}/{len(mine)} đơn vị đạt chỉ tiêu "
                f"{spec.what}; tỷ lệ chung {total}")
    sound = [d for d in dots if d.status != FLAGGED] or dots  # an error is not a record
    top = max(sound, key=lambda d: (d.rate, d.name))
    low = min(sound, key=lambda d: (d.rate, d.name))
    return (f"Biểu đồ {number}. {spec.what.capitalize()} theo tỉnh: cao nhất {top.label} "
            f"({top.name}), thấp nhất {low.label} ({low.name}); tỷ lệ chung {total}")


def _rate_alt(number: int, dots: list[Dot], rules: list[Rule], mine: list) -> str:
    parts = []
    for dot in sorted(dots, key=lambda d: (-d.rate, d.name)):
        status = (f" ({dot.status.lower().replace(' (†)', '')})" if dot.status != PLAIN
                  else "")
        goal = f", chỉ tiêu {wording.percent(dot.target)}" if dot.target is not None and len(
            {t.target for t in mine}) > 1 else ""
        parts.append(f"{dot.name} {dot.label}{goal}{status}")
    parts += [rule.label for rule in rules]
    return f"Số liệu của biểu đồ {number}: {'; '.join(parts)}."


def _rate_notes(dots: list[Dot], rules: list[Rule], ticks: bool) -> tuple[str, ...]:
    notes = ["Đường đứt nét: tỷ lệ chung, tính từ tổng số, không lấy trung bình."]
    if len(rules) > 1:
        notes.append("Đường liền màu đỏ: chỉ tiêu được giao.")
    if ticks:
        notes.append("Vạch đỏ trên mỗi dòng: chỉ tiêu được giao cho đơn vị đó.")
    if any(d.status == FLAGGED for d in dots):
        notes.append("Hình thoi rỗng và dấu †: tỷ lệ dựa trên số liệu có lỗi chưa được xử lý.")
    return tuple(notes)


def _source(data: ReportData, what: str, mine: list) -> str:
    text = f"Nguồn: {what}, tổng hợp trong kho dữ liệu tư pháp"
    found = tg.decisions(mine)
    if found:
        text += "; chỉ tiêu theo " + wording.join([tg.decision_words(n, d) for n, d in found])
    return text + "."


def trend_chart(number: int, data: ReportData, marks: YearMarks) -> Chart:
    history = data.history
    segments, breaks = _segments(data)
    scope = "toàn quốc" if data.scope == "national" else "Khu vực"
    panels: list[ChartPanel] = []
    alts = []
    years = [t.year for t in history]
    grid: list[tuple[str, ...]] = []
    for column, title, kind in TREND:
        points = []
        for totals in history:
            value = (rate_of(totals.counts, column) if kind == "rate"
                     else totals.counts.get(column))
            if value is None:
                continue
            flagged = marks.of(totals.year).any_total(column)
            label, number_value = _trend_label(value, kind)
            points.append(Point(totals.year, number_value, mark(label, flagged),
                                segments[totals.year], flagged))
        if not points:
            continue
        panel = trend_panel(points, is_rate=kind == "rate",
                            break_after=breaks[0] - 1 if breaks else None,
                            break_label="Địa bàn thay đổi")
        panels.append(ChartPanel(panel.spec, title=title, note=panel.note))
        alts.append(f"{title}: " + "; ".join(f"năm {p.year} {p.label}" for p in points))
        shown = {p.year: p.label for p in points}
        grid.append((title, *(shown.get(y, wording.MISSING) for y in years)))
    first, last = history[0].year, history[-1].year
    title = f"Biểu đồ {number}. Số liệu chính của {scope} qua các năm {first}–{last}"
    notes = []
    if breaks:
        starts = ", ".join(str(y) for y in breaks)
        title += f"; đường ngắt trước năm {starts} vì địa bàn {scope} thay đổi"
        notes.append(f"Từ năm {starts}, {scope} gồm các tỉnh sau hợp nhất, địa bàn khác các năm "
                     "trước: hai đoạn đường không so sánh trực tiếp được với nhau.")
    elif len({len(t.member_codes) for t in history}) > 1:
        notes.append(f"Các năm cùng một địa bàn ({scope}), dù số tỉnh thay đổi khi hợp nhất.")
    notes.append("Điểm rỗng và dấu †: tổng số có lỗi chưa được xử lý của năm đó.")
    if any(set(t.reporting_codes) != set(t.member_codes) for t in history):
        notes.append("Năm có tỉnh chưa gửi báo cáo thì tổng số chưa đủ.")
    return Chart("trend", number, title,
                 units="Số đếm, tiền tính bằng tỷ đồng, tỷ lệ tính bằng %; trục số đếm bắt đầu "
                       "từ 0.",
                 source=f"Nguồn: báo cáo các năm {first}–{last} của các đơn vị, tổng hợp trong "
                        "kho dữ liệu tư pháp.",
                 alt=f"Số liệu của biểu đồ {number}: " + ". ".join(alts) + ".",
                 panels=tuple(panels), notes=tuple(notes),
                 alt_table=(("Chỉ tiêu", *(str(y) for y in years)), tuple(grid)))


def _trend_label(value: Decimal | int, kind: str) -> tuple[str, float]:
    if kind == "rate":
        return wording.percent(value), _rate(value)
    if kind == "money":
        unit = "tỷ đồng"
        return wording.money_number(int(value), unit), float(
            Decimal(int(value)) * 1000 / wording.money_divisor(unit))
    return wording.count(int(value)), float(value)


def _segments(data: ReportData) -> tuple[dict[int, int], list[int]]:
    """Each year's segment, and the years a new one starts (the land changed, or a year is
    missing from the series)."""
    segment, out, breaks = 0, {}, []
    previous = None
    for totals in data.history:
        if previous is not None and (
                totals.year != previous.year + 1
                or data.territories.get(totals.year) != data.territories.get(previous.year)):
            segment += 1
            if totals.year == previous.year + 1:
                breaks.append(totals.year)
        out[totals.year] = segment
        previous = totals
    return out, breaks


def build_charts(data: ReportData, marks: YearMarks, first_number: int = 1) -> list[Chart]:
    charts = []
    for spec in RATE_CHARTS:
        chart = rate_chart(spec, first_number + len(charts), data, marks)
        if chart is not None:
            charts.append(chart)
    charts.append(trend_chart(first_number + len(charts), data, marks))
    return charts

"""The report as one document: every section in the order of yearly-report.md, as plain data.

The HTML page and the PDF are two layouts of this same document, so they cannot disagree.
Charts are carried as specs here; rendering them is the renderer's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orchestration.report import sections, wording
from orchestration.report.charts import Bar, Chart, RatePanel, TrendSeries, rates_chart, trend_chart
from orchestration.report.compare import compare
from orchestration.report.flags import ErrorMarks
from orchestration.report.model import ReportData
from orchestration.report.summary import build_summary
from orchestration.report.tables import Table, build_tables, rate_of, total_label

CLUSTER_NAME = "Khu vực thi đua các tỉnh miền núi biên giới phía Bắc"
TREND = (  # (column, panel title, divisor to print it in)
    ("sessions", "Số cuộc phổ biến, giáo dục pháp luật", 1),
    ("documents", "Số tài liệu phát hành", 1),
    ("cases_received", "Vụ, việc hòa giải tiếp nhận", 1),
    ("cases_eligible", "Việc thi hành án có điều kiện", 1),
    ("cases_resolved", "Việc thi hành án giải quyết xong", 1),
    ("money_resolved", "Tiền giải quyết xong (tỷ đồng)", 1_000_000),
)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    members: str
    banner: str | None
    sections: list[dict[str, Any]]  # {"heading": ..., "blocks": [...]}
    charts: list[Chart]

    def as_json(self, chart_files: Mapping[str, str] | None = None,
                chart_svgs: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The document for a template: chart blocks get their rendered file or SVG."""
        out_sections = []
        for section in self.sections:
            blocks = []
            for block in section["blocks"]:
                if block["kind"] == "chart":
                    key = block["key"]
                    block = {**block, "file": (chart_files or {}).get(key),
                             "svg": (chart_svgs or {}).get(key)}
                blocks.append(block)
            out_sections.append({**section, "blocks": blocks})
        return {"title": self.title, "subtitle": self.subtitle, "members": self.members,
                "banner": self.banner, "sections": out_sections}


def build_document(data: ReportData, charts: list[Chart] | None = None) -> Document:
    """The report of `data`; `charts` when they were already built from the same data."""
    marks = ErrorMarks.from_issues(data.issues)
    comparison = compare(data)
    summary = build_summary(data.year, data.scope, data.totals.counts, comparison, marks)
    tables = build_tables(data, marks)
    charts = charts if charts is not None else build_charts(data)
    names = [p.short_name for p in data.members]
    if data.scope == "national":
        subtitle = "Toàn quốc"
        members = (f"{wording.count(len(names))} tỉnh, thành phố; "
                   f"{wording.count(len(data.totals.reporting_codes))} có số liệu")
    else:
        subtitle = CLUSTER_NAME
        members = f"Gồm {wording.count(len(names))} tỉnh: {wording.join(names)}"
    missing = [data.provinces[c].short_name for c in data.totals.member_codes
               if c not in data.totals.reporting_codes]
    if missing and data.scope == "cluster":
        members += f" (chưa có số liệu: {wording.join(missing)})"
    banner = None
    if data.synthetic_files:
        banner = ("SỐ LIỆU GIẢ LẬP — các tệp báo cáo là tệp mẫu dùng để thử nghiệm, không phải "
                  "số liệu thống kê chính thức.")
    numbered = [
        ("Tóm tắt", [sections.paragraph(p) for p in summary.paragraphs]
         + [sections.note(n) for n in summary.notes]),
        ("Số liệu theo tỉnh", [_table_block(t) for t in tables]),
        ("Biểu đồ", [{"kind": "chart", "key": c.key, "title": c.title, "caption": c.caption}
                     for c in charts]),
        ("Tình hình gửi báo cáo", sections.reporting(data)),
        ("Chất lượng số liệu", sections.quality(data)),
        ("Nguồn số liệu", sections.sources(data)),
    ]
    return Document(
        title=f"Số liệu công tác tư pháp năm {data.year}", subtitle=subtitle,
        members=wording.nfc(members), banner=banner,
        sections=[{"heading": f"{i}. {heading}", "blocks": blocks}
                  for i, (heading, blocks) in enumerate(numbered, start=1)],
        charts=charts)


def _table_block(t: Table) -> dict[str, Any]:
    return sections.table(list(t.header), [list(r) for r in t.rows], title=t.title,
                          unit=t.unit, numeric=list(t.numeric), total=list(t.total),
                          notes=list(t.notes),
                          widths=["auto", "auto"] + ["1fr"] * (len(t.header) - 2))


def _of_scope(data: ReportData) -> str:
    return "toàn quốc" if data.scope == "national" else "toàn Khu vực"


def _bars(data: ReportData, domain: str, column: str) -> RatePanel:
    bars = tuple(Bar(data.provinces[f.province_code].short_name, rate_of(f.counts, column))
                 for f in data.facts[domain])
    return RatePanel("", bars, rate_of(data.totals.counts, column))


def build_charts(data: ReportData) -> list[Chart]:
    """The charts of yearly-report.md: resolution and mediation rates by province against the
    total, and the main totals over the years."""
    label = total_label(data.scope)
    cases = _bars(data, "enforcement", "case_resolution_rate")
    money = _bars(data, "enforcement", "money_resolution_rate")
    mediation = _bars(data, "mediation", "success_rate")
    charts = [
        rates_chart("resolution", "Tỷ lệ giải quyết xong thi hành án dân sự theo tỉnh",
                    f"Tỷ lệ = giải quyết xong / có điều kiện thi hành; đường đứt nét: {label}.",
                    [RatePanel("Tính bằng việc", cases.bars, cases.total),
                     RatePanel("Tính bằng tiền", money.bars, money.total)], label),
        rates_chart("mediation", "Tỷ lệ hòa giải thành theo tỉnh",
                    f"Tỷ lệ = hòa giải thành / tiếp nhận; đường đứt nét: {label}.",
                    [RatePanel("", mediation.bars, mediation.total)], label),
    ]
    history = data.history
    series = [TrendSeries(title, tuple(
        (t.year, float(Decimal(value) / divisor))
        for t in history if (value := t.counts.get(column)) is not None))
        for column, title, divisor in TREND]
    caption = (f"Tổng số {_of_scope(data)} các năm {history[0].year}–{history[-1].year} "
               "có số liệu trong kho.")
    changed = [t.year for prev, t in zip(history, history[1:], strict=False)
               if t.member_codes != prev.member_codes]
    if changed and data.scope == "cluster":
        caption += (f" Thành phần của Khu vực thay đổi từ năm "
                    f"{', '.join(map(str, changed))} (sáp nhập tỉnh), nên tổng số trước và sau "
                    "không cùng địa bàn.")
    charts.append(trend_chart("trend", f"Các chỉ tiêu chính qua các năm ({_of_scope(data)})",
                              caption, series))
    return charts

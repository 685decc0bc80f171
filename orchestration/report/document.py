"""The report as one document: every section in the order of yearly-report.md, as plain data.

The HTML page, the PDF and the workbook are three layouts of this same document, so they cannot
disagree. Charts are carried as specs here; rendering them is the renderer's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestration.report import sections, wording
from orchestration.report.annex import annex
from orchestration.report.charts import Chart, RenderedPanel
from orchestration.report.compare import compare
from orchestration.report.figures import build_charts
from orchestration.report.flags import YearMarks, is_open_error
from orchestration.report.model import ReportData
from orchestration.report.summary import build_summary
from orchestration.report.tables import Table, build_tables

CLUSTER_NAME = "Khu vực thi đua các tỉnh miền núi biên giới phía Bắc"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    members: str
    status: str  # "Số liệu sơ bộ: ..." or "Số liệu chính thức: ..."
    issuer: dict[str, Any]  # the issuing block as the templates lay it out
    banner: str | None
    sections: list[dict[str, Any]]  # {"heading": ..., "blocks": [...]}
    annex: dict[str, Any]  # {"heading": ..., "blocks": [...]}
    charts: list[Chart]
    tables: tuple[Table, ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # "xlsx" -> the workbook's file name

    def as_json(self, panels: Mapping[str, list[RenderedPanel]] | None = None, *,
                for_pdf: bool = False, with_annex: bool = True) -> dict[str, Any]:
        """The document for a template: chart blocks get their rendered panels (inline SVG for
        the page, file names for typst)."""
        out_sections = []
        for section in self.sections:
            blocks = [_chart_json(b, (panels or {}).get(b["key"], []), for_pdf)
                      if b["kind"] == "chart" else b for b in section["blocks"]]
            out_sections.append({**section, "blocks": blocks})
        return {"title": self.title, "subtitle": self.subtitle, "members": self.members,
                "status": self.status, "issuer": self.issuer, "banner": self.banner,
                "sections": out_sections, "annex": self.annex if with_annex else None,
                "files": self.files}


def _chart_json(block: dict[str, Any], rendered: list[RenderedPanel],
                for_pdf: bool) -> dict[str, Any]:
    panels = []
    for i, (panel, drawn) in enumerate(zip(block["panels"], rendered, strict=True)):
        panels.append({**panel, "width_px": drawn.width_px, "height_px": drawn.height_px,
                       **({"file": f"{block['key']}-{i}.svg"} if for_pdf else
                          {"svg": drawn.svg})})
    return {**block, "panels": panels}


def status_line(data: ReportData, marks: YearMarks) -> str:
    """ "Số liệu sơ bộ" while a form is missing or an error is open on a figure of year N."""
    missing = sum(len(forms) for _, forms in sections.missing_forms(data))
    errors = sum(1 for i in data.issues if is_open_error(i))
    if not missing and not errors:
        return "Số liệu chính thức: đã nhận đủ báo cáo, không còn lỗi chưa được xử lý."
    why = []
    if missing:
        why.append(f"còn thiếu {wording.count(missing)} biểu báo cáo")
    if errors:
        why.append(f"còn {wording.count(errors)} lỗi chưa được xử lý")
    return f"Số liệu sơ bộ: {wording.join(why)}."


def issuer_block(data: ReportData) -> dict[str, Any]:
    issuer = data.issuer
    place = f"{issuer.place}, " if issuer.place else ""
    return {
        "draft": issuer.draft,
        "parent": (issuer.parent or "").upper() or None,
        "body": (issuer.body or "").upper() or None,
        "number": f"Số: {issuer.number}" if issuer.number else "Số:        /BC-",
        "motto": list(MOTTO),
        "dateline": place + wording.long_date(issuer.issued_on),
        "contact": f"Đầu mối liên hệ: {issuer.contact}" if issuer.contact else None,
        "draft_words": "DỰ THẢO" if issuer.draft else None,
    }


def build_document(data: ReportData, *, stem: str = "bao-cao") -> Document:
    """The report of `data`; `stem` names the files it ships as (the workbook is named in it)."""
    marks = YearMarks.from_issues([*data.issues, *data.past_errors])
    comparison = compare(data)
    summary = build_summary(data, comparison, marks)
    tables = build_tables(data, marks, comparison)
    charts = build_charts(data, marks)
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
        banner = ("SỐ LIỆU GIẢ LẬP: các tệp báo cáo là tệp mẫu dùng để thử nghiệm, không phải "
                  "số liệu thống kê chính thức.")
    workbook = f"{stem}.xlsx"
    numbered = [
        ("Tóm tắt", [sections.paragraph(p) for p in summary.paragraphs]
         + [sections.note(n) for n in summary.notes]),
        ("Số liệu theo tỉnh", [_table_block(t) for t in tables]),
        ("Biểu đồ", [_chart_block(c) for c in charts]),
        ("Tình hình gửi báo cáo", sections.reporting(data)),
        ("Chất lượng số liệu", sections.quality(data, marks)),
        ("Nguồn số liệu", sections.sources(data, workbook)),
    ]
    return Document(
        title=f"Số liệu công tác tư pháp năm {data.year}", subtitle=subtitle,
        members=wording.nfc(members), status=status_line(data, marks),
        issuer=issuer_block(data), banner=banner,
        sections=[{"heading": f"{i}. {heading}", "blocks": blocks}
                  for i, (heading, blocks) in enumerate(numbered, start=1)],
        annex={"heading": "Phụ lục kỹ thuật", "blocks": annex(data, stem)},
        charts=charts, tables=tables, files={"xlsx": workbook})


def _table_block(t: Table) -> dict[str, Any]:
    block = sections.table(list(t.header), [list(r) for r in t.rows], title=t.title,
                           unit=t.unit, numeric=list(t.numeric), total=list(t.total),
                           notes=list(t.notes),
                           widths=["auto", "auto"] + ["1fr"] * (len(t.header) - 2))
    return {**block, "key": t.key}


def _chart_block(chart: Chart) -> dict[str, Any]:
    alt_table = None
    if chart.alt_table:
        header, rows = chart.alt_table
        alt_table = sections.table(list(header), [list(r) for r in rows],
                                   title=f"Số liệu của biểu đồ {chart.number}",
                                   numeric=[False] + [True] * (len(header) - 1),
                                   widths=["2.2fr"] + ["auto"] * (len(header) - 1))
    return {"kind": "chart", "key": chart.key, "title": chart.title, "units": chart.units,
            "source": chart.source, "alt": chart.alt, "notes": list(chart.notes),
            "alt_table": alt_table,
            "panels": [{"title": p.title, "note": p.note} for p in chart.panels]}

"""Lay the document out as one self-contained HTML page and as an A4 PDF.

HTML: jinja2 with autoescape, charts inline as SVG; no stylesheet, font or script is fetched.
PDF: typst (a typesetter in one wheel, offline, tens of milliseconds a document) with the
template beside this module and the document passed as JSON in `sys_inputs`, so text from
reports is never read as markup. Only typst's embedded fonts are used (Libertinus Serif has
every Vietnamese glyph) and they are embedded in the PDF, a tagged PDF/A-2b; the PDF's date
is the load's time, so the same warehouse gives the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2
import typst
from markupsafe import Markup

from orchestration.report.charts import Chart, RenderedChart, render
from orchestration.report.document import Document

TEMPLATES = resources.files("orchestration.report") / "templates"


def render_charts(charts: list[Chart]) -> dict[str, RenderedChart]:
    return {chart.key: render(chart) for chart in charts}


def render_html(document: Document, charts: dict[str, RenderedChart] | None = None) -> bytes:
    charts = charts if charts is not None else render_charts(document.charts)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string((TEMPLATES / "report.html.j2").read_text(encoding="utf-8"))
    # The SVG is ours (vl-convert escapes the labels inside it): the one unescaped string.
    svgs = {key: Markup(chart.svg) for key, chart in charts.items()}
    return template.render(doc=document.as_json(chart_svgs=svgs)).encode("utf-8")


def render_pdf(document: Document, charts: dict[str, RenderedChart] | None = None, *,
               timestamp: datetime | None) -> bytes:
    charts = charts if charts is not None else render_charts(document.charts)
    with tempfile.TemporaryDirectory(prefix="tuphap-report-") as tmp:
        root = Path(tmp)
        (root / "report.typ").write_bytes((TEMPLATES / "report.typ").read_bytes())
        files = {}
        for key, chart in charts.items():
            files[key] = f"{key}.png"
            (root / files[key]).write_bytes(chart.png)
        doc = document.as_json(chart_files=files)
        for section in doc["sections"]:
            for block in section["blocks"]:
                if block["kind"] == "chart":
                    block["width_mm"] = charts[block["key"]].width_mm
        return typst.compile(
            str(root / "report.typ"), root=str(root), font_paths=[], ignore_system_fonts=True,
            sys_inputs={"doc": json.dumps(doc, ensure_ascii=False, sort_keys=True)},
            timestamp=int(timestamp.timestamp()) if timestamp else 0,
            pdf_standards=["a-2b"],  # archival: fonts embedded, tagged, self-describing
        )

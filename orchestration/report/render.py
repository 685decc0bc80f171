"""Lay the document out as one self-contained HTML page and as an A4 PDF.

HTML: jinja2 with autoescape, charts inline as SVG, the report's type family inline (fonts.py);
no stylesheet, font or script is fetched. PDF: typst (a typesetter in one wheel, offline, tens
of milliseconds a document) with the template beside this module and the document passed as
JSON in `sys_inputs`, so text from reports is never read as markup. typst places the charts'
SVG as vectors and sets their text in the same family, from the font package's folder only
(system fonts ignored); the fonts are embedded in the PDF, a tagged PDF/A-2b. The PDF's date is
the load's time, so the same warehouse gives the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2
import typst
from markupsafe import Markup

from orchestration.report import fonts
from orchestration.report.charts import Chart, RenderedPanel, render
from orchestration.report.document import Document

TEMPLATES = resources.files("orchestration.report") / "templates"
Panels = Mapping[str, list[RenderedPanel]]


def render_charts(charts: list[Chart]) -> dict[str, list[RenderedPanel]]:
    return {chart.key: [render(panel) for panel in chart.panels] for chart in charts}


def render_html(document: Document, panels: Panels | None = None) -> bytes:
    panels = panels if panels is not None else render_charts(document.charts)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string((TEMPLATES / "report.html.j2").read_text(encoding="utf-8"))
    # The SVG and the font rules are ours (vl-convert escapes the labels inside the SVG): the
    # only unescaped strings.
    marked = {key: [RenderedPanel(Markup(p.svg), p.file_svg, p.width_px, p.height_px)
                    for p in drawn] for key, drawn in panels.items()}
    return template.render(doc=document.as_json(marked), fonts=Markup(fonts.css_font_faces()),
                           family=Markup(fonts.CSS_STACK)).encode("utf-8")


def render_pdf(document: Document, panels: Panels | None = None, *,
               timestamp: datetime | None, with_annex: bool = True) -> bytes:
    panels = panels if panels is not None else render_charts(document.charts)
    with tempfile.TemporaryDirectory(prefix="tuphap-report-") as tmp:
        root = Path(tmp)
        (root / "report.typ").write_bytes((TEMPLATES / "report.typ").read_bytes())
        for key, drawn in panels.items():
            for i, panel in enumerate(drawn):
                (root / f"{key}-{i}.svg").write_text(panel.file_svg, encoding="utf-8")
        doc = document.as_json(panels, for_pdf=True, with_annex=with_annex)
        return typst.compile(
            str(root / "report.typ"), root=str(root), font_paths=[str(fonts.font_dir())],
            ignore_system_fonts=True,
            sys_inputs={"doc": json.dumps(doc, ensure_ascii=False, sort_keys=True),
                        "family": fonts.FAMILY},
            timestamp=int(timestamp.timestamp()) if timestamp else 0,
            pdf_standards=["a-2b"],  # archival: fonts embedded, tagged, self-describing
        )

"""The report's charts: altair specs rendered offline by vl-convert, as SVG (HTML) and PNG (PDF).

Why these tools: altair writes declarative Vega-Lite, vl-convert renders it with a bundled
JavaScript engine and fonts (Liberation Sans, with Vietnamese glyphs) without a browser or the
network, and the same spec gives the same bytes every time. Labels are formatted by the
project's formatter before they reach the chart; axes use the Vietnamese number locale.
The PDF gets PNG, because typst would draw an SVG's text in its own fonts.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import altair as alt
import vl_convert as vlc

from orchestration.report import chart_cache, wording

FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đ"]}
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
ABOVE, BELOW = "#2b6cb0", "#dd7a1f"
PNG_SCALE = 2


@dataclass(frozen=True)
class Bar:
    name: str
    rate: Decimal | None


@dataclass(frozen=True)
class RatePanel:
    title: str
    bars: tuple[Bar, ...]
    total: Decimal | None


@dataclass(frozen=True)
class TrendSeries:
    title: str
    points: tuple[tuple[int, float], ...]  # (year, value)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    spec: dict[str, Any]


def _float(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _unit(chart: alt.Chart) -> dict[str, Any]:
    """One mark's Vega-Lite, written by altair. Layers and grids are put together as plain
    dicts: altair's own layer and concat objects deep-copy every part several times over, which
    cost more than rendering the charts."""
    spec = chart.to_dict(validate=False)  # the rendering tests check the result
    spec.pop("$schema", None)
    spec.pop("config", None)
    return spec


def rate_panel(panel: RatePanel, total_label: str) -> dict[str, Any]:
    """Provinces' rates as bars, highest first, coloured against the total, which is a line."""
    total = panel.total
    ranked = sorted(((b.name, b.rate) for b in panel.bars if b.rate is not None),
                    key=lambda b: (-b[1], b[0]))
    # 0-100, unless a unit's figures give a rate over 100 (an error the tables mark).
    top = max([100, *(math.ceil(_float(rate)) for _, rate in ranked)])
    rows = [{"name": name, "rate": _float(rate), "label": wording.percent(rate),
             "side": ("Bằng hoặc cao hơn mức chung" if total is None or rate >= total
                      else "Thấp hơn mức chung")}
            for name, rate in ranked]
    bars = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("name:N", sort=[name for name, _ in ranked], title=None),
        x=alt.X("rate:Q", title="%", scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(format=",.0f", tickCount=5)),
    )
    layers = [
        bars.mark_bar(height={"band": 0.7}).encode(
            color=alt.Color("side:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=["Bằng hoặc cao hơn mức chung",
                                                    "Thấp hơn mức chung"],
                                            range=[ABOVE, BELOW]))),
    ]
    if total is not None:
        line = alt.Chart(alt.Data(values=[{
            "rate": _float(total), "label": f"{total_label}: {wording.percent(total)}"}]))
        layers += [
            line.mark_rule(strokeDash=[4, 3], color="#222").encode(x="rate:Q"),
            line.mark_text(align="right", dx=-4, dy=-4, fontSize=10, color="#222",
                           baseline="bottom").encode(x="rate:Q", y=alt.value(0), text="label:N"),
        ]
    # The figure inside the start of its bar, where neither the total's line nor a long bar's
    # end can run over it.
    layers.append(bars.mark_text(align="left", dx=4, fontSize=10, color="white")
                  .encode(x=alt.datum(0), text="label:N"))
    step = 18 if len(rows) <= 15 else 14
    return {"layer": [_unit(layer) for layer in layers], "title": panel.title, "width": 230,
            "height": max(step * len(rows), 60)}


def rates_chart(key: str, title: str, caption: str, panels: list[RatePanel],
                total_label: str) -> Chart:
    charts = [rate_panel(p, total_label) for p in panels]
    chart = charts[0] if len(charts) == 1 else {"hconcat": charts, "spacing": 40}
    return Chart(key, title, caption, _spec(chart))


def trend_chart(key: str, title: str, caption: str, series: list[TrendSeries]) -> Chart:
    """Small multiples, one per indicator, each on its own scale, the years on the x axis."""
    panels = []
    for s in series:
        rows = [{"year": str(y), "value": v} for y, v in s.points]
        base = alt.Chart(alt.Data(values=rows)).encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False),
                    axis=alt.Axis(format=",.0f", tickCount=4)),
        )
        panels.append({"layer": [_unit(base.mark_line(color=ABOVE)),
                                 _unit(base.mark_point(color=ABOVE, filled=True))],
                       "title": s.title, "width": 270, "height": 110})
    rows_of_two = [{"hconcat": panels[i:i + 2], "spacing": 40}
                   for i in range(0, len(panels), 2)]
    return Chart(key, title, caption, _spec({"vconcat": rows_of_two, "spacing": 16}))


def _spec(chart: dict[str, Any]) -> dict[str, Any]:
    spec = {"$schema": alt.SCHEMA_URL, **chart}
    spec["config"] = {
        "font": FONT,
        "view": {"stroke": None},
        "title": {"fontSize": 12, "anchor": "start"},
        "axis": {"labelFontSize": 10, "titleFontSize": 10},
        "legend": {"labelFontSize": 10},
        "background": "white",
    }
    return spec


@dataclass(frozen=True)
class RenderedChart:
    svg: str  # for the HTML page: inline, without XML namespaces
    png: bytes  # for the PDF
    width_mm: float  # the chart's natural width on paper (CSS pixels at 96 per inch)


def render(chart: Chart) -> RenderedChart:
    """Render once to SVG (the costly part: Vega runs in vl-convert's JavaScript engine) and
    rasterise that SVG for the PDF; the PNG is the same as rendering it directly. A chart
    drawn before on this machine comes from the chart cache (chart_cache.py)."""
    key = chart_cache.chart_key(chart.spec, locale=FORMAT_LOCALE, scale=PNG_SCALE)
    cached = chart_cache.load(key)
    if cached is not None:
        svg, png = cached
    else:
        svg = vlc.vegalite_to_svg(chart.spec, format_locale=FORMAT_LOCALE)
        png = vlc.svg_to_png(svg, scale=PNG_SCALE)
        chart_cache.store(key, svg, png)
    width_px = int(struct.unpack(">I", png[16:20])[0]) / PNG_SCALE  # IHDR comes first
    # HTML needs no namespaces; without them the page holds no URL at all.
    inline = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg).replace("xlink:href", "href")
    return RenderedChart(inline, png, round(width_px * 25.4 / 96, 1))

"""The report's charts: Vega-Lite specs rendered offline by vl-convert, as SVG for page and PDF.

Why these tools: Vega-Lite is a declarative grammar of charts (the specs are written here as the
plain dicts altair would produce, which is many times faster than going through altair's
classes), vl-convert renders it with a bundled JavaScript engine, without a browser or the
network, and the same spec gives the same bytes.
Text is set in the report's one family (fonts.py), which vl-convert measures and typst draws
when it places the SVG in the PDF: the charts are vector there as on the page.

What a chart says is built here as data (`Chart`): a numbered title that states the point, the
units, the source, a Vietnamese text alternative with the same numbers the chart labels, and one
or more panels (small multiples are separate SVGs, laid two abreast on paper and on a wide
screen, one above the other on a phone). Every point is labelled with its value; a value resting
on an open error carries † and a hollow mark; status is said by shape and words, never by
colour alone. Vega's own accessibility text is English, so it is turned off (`aria: false`) and
the page describes each chart with its text alternative instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import vl_convert as vlc

from orchestration.report import chart_cache, fonts

FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đ"]}
INK, MUTED, TARGET, GRID = "#1f3b5c", "#6b7785", "#a3302a", "#d9dee4"
DOT_WIDTH, LABEL_COLUMN, PANEL_WIDTH, PANEL_HEIGHT = 220, 62, 270, 150


@dataclass(frozen=True)
class Dot:
    """One province on a dot plot: its rate, the label printed beside it, and its status."""

    name: str
    rate: float
    label: str  # "93,07%", "100,75%†"
    status: str  # the legend's words: "Đạt chỉ tiêu", "Không đạt chỉ tiêu", "Có lỗi chưa xử lý"
    target: float | None = None


@dataclass(frozen=True)
class Rule:
    """A vertical line across a dot plot: the scope's total or a common target."""

    value: float
    label: str  # "Toàn Khu vực 88,99%", "Chỉ tiêu trên 81,50%"
    dashed: bool
    colour: str


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    label: str  # the value as printed, "27.430", "89,68%†"
    segment: int  # points of different segments are not joined (the land changed between)
    flagged: bool = False


@dataclass(frozen=True)
class Panel:
    spec: dict[str, Any]
    title: str = ""  # a small multiple's own title, said above it
    note: str = ""  # "Trục tung bắt đầu từ 80%, không từ 0."


@dataclass(frozen=True)
class Chart:
    key: str
    number: int
    title: str  # "Biểu đồ 1. 6/7 đơn vị đạt chỉ tiêu ...": states the point
    units: str
    source: str
    alt: str  # the text alternative: the same numbers as the chart, in Vietnamese
    panels: tuple[Panel, ...] = field(default=())
    notes: tuple[str, ...] = ()
    # the alternative laid out as a table (header, rows) where a sentence would be a wall
    alt_table: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None = None


def axis_floor(values: list[float]) -> int:
    """Where a rate axis starts: 0 when the values spread widely, else a round number a little
    below the lowest, so that 88-92% do not look identical (the chart then says so)."""
    low = min(values)
    if max(values) - low > 40 or low < 20:
        return 0
    return int(max(0, (low - 2) // 5 * 5))


def _layer(values: list[dict[str, Any]], mark: dict[str, Any], encoding: dict[str, Any],
           transform: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One mark of a layered Vega-Lite spec, written as the dict it is: building it through
    altair's classes validated every channel and cost more than drawing the chart."""
    layer: dict[str, Any] = {"data": {"values": values}, "mark": mark, "encoding": encoding}
    if transform:
        layer["transform"] = transform
    return layer


def dot_plot(dots: list[Dot], rules: list[Rule], ticks: bool) -> Panel:
    """Provinces' rates as dots on a shared axis with the total (dashed) and the target (solid
    line, or a tick on each row when units have their own targets)."""
    order = [d.name for d in sorted(dots, key=lambda d: (-d.rate, d.name))]
    values = [d.rate for d in dots] + [r.value for r in rules]
    values += [d.target for d in dots if d.target is not None]
    start = axis_floor(values)
    # Up to the next round number above the highest value (100 at most, unless a value is
    # over it): 40-55% is not squeezed into the left half of a 0-100 axis.
    end = max(values) if max(values) > 100 else min(100.0, (max(values) + 2) // 5 * 5 + 5)
    step = 26 if len(dots) <= 15 else 18  # a national chart still fits on a page, legibly
    rows = [{"name": d.name, "rate": d.rate, "label": d.label, "status": d.status}
            for d in dots]
    y = {"field": "name", "type": "nominal", "sort": order, "title": None,
         "axis": {"labelLimit": 140, "labelFontSize": 12, "domain": False, "ticks": False}}
    x = {"field": "rate", "type": "quantitative", "title": "%",
         "scale": {"domain": [start, end], "nice": False, "zero": False},
         "axis": {"format": ",.0f", "tickCount": 5, "grid": True, "gridColor": GRID}}
    statuses = sorted({d.status for d in dots})
    legend = ({"title": None, "orient": "bottom", "direction": "vertical", "labelFontSize": 12,
               "labelLimit": 320} if len(statuses) > 1 else None)
    layers = [
        _layer(rows, {"type": "rule", "color": GRID, "strokeWidth": 1},
               {"x": x, "y": y, "x2": {"datum": start}}),
        _layer(rows, {"type": "point", "size": 90, "strokeWidth": 2, "color": INK}, {
            "x": x, "y": y,
            "shape": {"field": "status", "type": "nominal", "legend": legend,
                      "scale": {"domain": statuses,
                                "range": [_SHAPES.get(s, "circle") for s in statuses]}},
            "fill": {"field": "status", "type": "nominal", "legend": None,
                     "scale": {"domain": statuses,
                               "range": [_FILLS.get(s, INK) for s in statuses]}}}),
        # The values in a column of their own right of the plot: no line runs through them.
        _layer(rows, {"type": "text", "align": "right", "fontSize": 12, "color": "#111"},
               {"y": y, "x": {"value": DOT_WIDTH + LABEL_COLUMN},
                "text": {"field": "label", "type": "nominal"}}),
    ]
    if ticks:
        marks = [{"name": d.name, "target": d.target} for d in dots if d.target is not None]
        layers.append(_layer(marks, {"type": "tick", "color": TARGET, "thickness": 2,
                                     "size": step - 8},
                             {"y": y, "x": {"field": "target", "type": "quantitative"}}))
    for i, rule in enumerate(rules):
        line = [{"rate": rule.value, "label": rule.label}]
        at = {"field": "rate", "type": "quantitative"}
        layers.append(_layer(line, {"type": "rule", "color": rule.colour, "strokeWidth": 1.5,
                                    "strokeDash": [5, 3] if rule.dashed else [1, 0]}, {"x": at}))
        layers.append(_layer(line, {"type": "text", "align": "right", "dx": -3, "fontSize": 11,
                                    "color": rule.colour,
                                    "baseline": "bottom" if i == 0 else "top"},
                             {"x": at, "text": {"field": "label", "type": "nominal"},
                              "y": {"value": -3 if i == 0 else step * len(dots) + 3}}))
    spec = {"layer": layers, "width": DOT_WIDTH, "height": step * len(dots)}
    note = f"Trục hoành bắt đầu từ {start}%, không từ 0." if start else ""
    return Panel(_spec(spec), note=note)


_SHAPES = {"Đạt chỉ tiêu": "circle", "Không đạt chỉ tiêu": "square",
           "Có lỗi chưa xử lý (†)": "diamond"}
_FILLS = {"Không đạt chỉ tiêu": "white", "Có lỗi chưa xử lý (†)": "white"}


def trend_panel(points: list[Point], *, is_rate: bool, break_after: int | None,
                break_label: str) -> Panel:
    """One indicator over the years: a line per segment, every point labelled (alternately
    above and below, so neighbours never overlap), a hollow point where an open error lies. A
    count's axis starts at zero; a rate's may not, and the panel then says so."""
    years = [p.year for p in points]
    values = [p.value for p in points]
    start = axis_floor(values) if is_rate else 0
    top = max(values) * (1.12 if not is_rate else 1) + (0 if not is_rate else 2)
    rows = [{"year": p.year, "value": p.value, "label": p.label, "segment": p.segment,
             "flagged": "hollow" if p.flagged else "solid", "above": i % 2 == 0}
            for i, p in enumerate(points)]
    x = {"field": "year", "type": "quantitative", "title": None,
         "scale": {"domain": [min(years) - 0.6, max(years) + 0.6], "nice": False},
         "axis": {"format": "d", "values": years, "grid": False, "labelFontSize": 11,
                  "labelAngle": 0, "labelOverlap": False}}
    y = {"field": "value", "type": "quantitative", "title": None,
         "scale": {"domain": [start, top], "nice": True, "zero": not is_rate},
         "axis": {"format": ",.0f", "tickCount": 4, "gridColor": GRID, "labelFontSize": 11}}
    label = {"field": "label", "type": "nominal"}
    layers = [
        _layer(rows, {"type": "line", "color": INK, "strokeWidth": 2},
               {"x": x, "y": y, "detail": {"field": "segment", "type": "nominal"}}),
        _layer(rows, {"type": "point", "size": 36, "strokeWidth": 1.5, "color": INK},
               {"x": x, "y": y, "fill": {"field": "flagged", "type": "nominal", "legend": None,
                                         "scale": {"domain": ["solid", "hollow"],
                                                   "range": [INK, "white"]}}}),
        _layer(rows, {"type": "text", "dy": -9, "fontSize": 10, "color": "#111",
                      "baseline": "bottom"}, {"x": x, "y": y, "text": label},
               [{"filter": "datum.above"}]),
        _layer(rows, {"type": "text", "dy": 9, "fontSize": 10, "color": "#111",
                      "baseline": "top"}, {"x": x, "y": y, "text": label},
               [{"filter": "!datum.above"}]),
    ]
    if break_after is not None:
        cut = [{"year": break_after + 0.5, "label": break_label}]
        layers.append(_layer(cut, {"type": "rule", "color": MUTED, "strokeDash": [3, 3]},
                             {"x": x}))
        layers.append(_layer(cut, {"type": "text", "align": "right", "dx": -3, "dy": 2,
                                   "fontSize": 10, "color": MUTED, "baseline": "top"},
                             {"x": x, "y": {"value": 0}, "text": label}))
    spec = {"layer": layers, "width": PANEL_WIDTH, "height": PANEL_HEIGHT}
    note = f"Trục tung bắt đầu từ {start}%, không từ 0." if start else ""
    return Panel(_spec(spec), note=note)


def _spec(chart: dict[str, Any]) -> dict[str, Any]:
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json", **chart}
    spec["config"] = {
        "font": fonts.FAMILY,
        "aria": False,  # Vega's own descriptions are English; the page gives Vietnamese ones
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333",
                 "titleColor": "#333", "domainColor": "#888", "tickColor": "#888"},
        "legend": {"labelFontSize": 12, "symbolSize": 90, "symbolStrokeWidth": 2},
        "background": "white",
        "padding": {"left": 4, "right": 12, "top": 16, "bottom": 4},
    }
    return spec


@dataclass(frozen=True)
class RenderedPanel:
    svg: str  # inline in the page (no XML namespaces) and, with them, a file for typst
    file_svg: str
    width_px: float
    height_px: float


def render(panel: Panel) -> RenderedPanel:
    """Render a panel to SVG once (Vega runs in vl-convert's JavaScript engine); a panel drawn
    before on this machine comes from the chart cache (chart_cache.py)."""
    fonts.register_with_charts()
    key = chart_cache.chart_key(panel.spec, locale=FORMAT_LOCALE, font=fonts.FAMILY)
    svg = chart_cache.load(key)
    if svg is None:
        svg = vlc.vegalite_to_svg(panel.spec, format_locale=FORMAT_LOCALE)
        chart_cache.store(key, svg)
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    height = float(re.search(r'height="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    # The page needs no namespaces; without them it holds no URL at all.
    inline = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg).replace("xlink:href", "href")
    return RenderedPanel(inline, svg, width, height)

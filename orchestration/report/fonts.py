"""The report's one type family: Source Sans Pro, from the `font-source-sans-pro` package.

One family for the text, the tables and the charts, in the PDF and in the HTML page, with every
Vietnamese letter (precomposed, and the combining marks of text that arrives decomposed). It
comes from a Python package, never from the machine's fonts, so every machine sets the same
report: typst is given the package's folder (and told to ignore the system's), vl-convert
measures and draws the charts' text with it, and the HTML page carries it inline (a subset,
as WOFF in a data: URL: the page still fetches nothing).
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path

FAMILY = "Source Sans Pro"
CSS_STACK = f'"{FAMILY}", sans-serif'
# (file, CSS weight, CSS style): the faces the report uses.
FACES = (("SourceSansPro-Regular.ttf", 400, "normal"), ("SourceSansPro-Bold.ttf", 700, "normal"),
         ("SourceSansPro-It.ttf", 400, "italic"))
# What the page can show: Latin, Vietnamese (precomposed and combining), the punctuation and
# signs the report prints. Text outside it (a name in another script) falls back, still legible.
UNICODE_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x1A0, 0x1B0), (0x300, 0x323), (0x1EA0, 0x1EF9),
                  (0x2010, 0x2027), (0x2030, 0x203A), (0x2212, 0x2212), (0x25B2, 0x25BC))


FEATURES = ("kern", "mark", "mkmk", "ccmp")  # kerning; marks placed over decomposed letters


def font_dir() -> Path:
    import font_source_sans_pro

    return Path(font_source_sans_pro.font_directory)


@cache
def register_with_charts() -> None:
    """Let vl-convert measure and draw chart text in the report's family (once a process)."""
    import vl_convert

    vl_convert.register_font_directory(str(font_dir()))


@cache
def css_font_faces() -> str:
    """@font-face rules carrying the report's faces inline, subset to UNICODE_RANGES (about 25
    KB a face). The same every time (fontTools' subsetting is deterministic); made once per
    machine, as it takes about two seconds, and kept with the charts (chart_cache)."""
    import fontTools

    from orchestration.report import chart_cache

    key = chart_cache.content_key({
        "faces": [(name, (font_dir() / name).stat().st_size) for name, _, _ in FACES],
        "ranges": UNICODE_RANGES, "fonttools": fontTools.version, "features": FEATURES})
    cached = chart_cache.load(key, "css")
    if cached is not None:
        return cached
    css = _font_faces()
    chart_cache.store(key, css, "css")
    return css


def _font_faces() -> str:
    rules = []
    for name, weight, style in FACES:
        data = base64.b64encode(_subset(font_dir() / name)).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
                     f"font-style: {style}; font-display: block; "
                     f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
    return "\n".join(rules)


def _subset(path: Path) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = list(FEATURES)
    options.hinting = False  # screens smooth the outlines themselves
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # the licence notice stays (OFL)
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in UNICODE_RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavorData = None
    subset.save_font(font, out, options)
    return out.getvalue()

"""Reading a yearly report as its readers do, for the e2e tests: the body's words (is any of them
English, a code or a table name?), the numbers a chart labels against those of its text
alternative, the raster images in a PDF, and the page in a real browser at 390 px."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

# A Vietnamese syllable once its tone and vowel marks are taken off (đ read as d): an optional
# onset, a vowel cluster, an optional coda. English words ("error", "warn", "table", "file",
# "sample", "open") are not; ethnic place names end in k ("Đắk Lắk").
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}(ng|nh|ch|[cmnptk])?$")
TECHNICAL = {
    "rule code": re.compile(r"\b(ENF|MED|DIS|GEN|TGT)-\d{2}\b"),
    "unit code": re.compile(r"\b(STP|THADS)-\d{2}\b"),
    "form code": re.compile(r"\b(PBGDPL|HOAGIAI|THADS_VIEC|THADS_TIEN)\b"),
    "table name": re.compile(r"\b(fct|dim|rpt|dq|raw|stg|int)_\w+|\braw\.\w+"),
    "file name": re.compile(r"[\w-]+\.(xlsx|xls|csv|ods|duckdb|html|pdf)\b"),
    "setting": re.compile(r"\bTUPHAP_\w+"),
}


def _bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def foreign_words(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Words of `text` that no Vietnamese reader would find in a Vietnamese document, and
    technical names (rule, unit and form codes, tables, files, settings); `allowed` are
    strings the document means to show (the name of the workbook beside it). Quoted text is
    a unit's own, echoed, and not judged."""
    for keep in allowed:
        text = text.replace(keep, " ")
    # What a unit wrote, echoed in quotes by a rejection ("x", "Sở X"), is its own text.
    text = re.sub(r'"[^"]*"|“[^”]*”', " ", text)
    found = [f"{kind}: {m.group(0)}" for kind, pattern in TECHNICAL.items()
             for m in pattern.finditer(text)]
    for token in re.findall(r"[^\W\d_]+", text):
        if token.isupper() and len(token) <= 10:
            continue  # a document's abbreviation: "BC", "QĐ", "DỰ THẢO" in capitals
        if not _SYLLABLE.match(_bare(token)):
            found.append(f"word: {token}")
    return found


class _Body(HTMLParser):
    """The text a reader sees on the page, without the annex (and without style or charts)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.annex = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("class", "annex") in attrs:
            self.annex = True
        if tag in ("style", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.annex:
            self.parts.append(data)


def html_body_text(path: Path) -> str:
    parser = _Body()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(parser.parts)))


def raster_images(path: Path) -> int:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return sum(len(page.images) for page in reader.pages)


NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+")


def numbers(text: str) -> list[str]:
    """The figures of a text, years of "năm 2024" and chart numbers left out."""
    text = re.sub(r"năm \d{4}|biểu đồ \d+", " ", text)
    return NUMBER.findall(text)


def chart_numbers(html: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per chart: the numbers its marks are labelled with (the values printed in the SVG, not
    the axes) and the numbers of its text alternative."""
    out = {}
    for figure in re.findall(r"<figure .*?</figure>", html, flags=re.S):
        key = re.search(r'aria-describedby="alt-([\w-]+)"', figure).group(1)  # type: ignore
        labels: list[str] = []
        for svg in re.findall(r"<svg.*?</svg>", figure, flags=re.S):
            root = ET.fromstring(svg)
            for group in root.iter("g"):
                if "role-mark" in group.get("class", "") and "mark-text" in group.get("class", ""):
                    labels += [n for t in group.iter("text") for n in numbers(
                        "".join(t.itertext()))]
        alt = re.search(r'id="alt-[\w-]+">(.*?)</p>', figure, flags=re.S).group(1)  # type: ignore
        # A unit's own target is a tick on its row, drawn without a label: the alternative gives
        # its value ("Lào Cai 87,93%, chỉ tiêu 88,00%"), the chart's labels do not.
        alt = re.sub(r", chỉ tiêu [\d.,]+%", "", alt)
        out[key] = (labels, numbers(alt))
    return out


# In the browser: the page at 390 px inside a frame of that width (a headless window cannot be
# narrower than 500 px), measured by a script in the frame's parent, so the report itself keeps
# no script. Sideways scrolling of the page, words split across lines (a file name or a code
# may wrap after "-", "_" or "/", as browsers wrap them), charts wider than their box and the
# smallest chart text are reported.
_MEASURE = """
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="REPORT" style="width:WIDTHpx;height:900px;border:0"></iframe>
<pre id="out"></pre>
<script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  d.fonts.ready.then(() => {
    const broken = [];
    for (const el of d.querySelectorAll('p, li, td, th, h1, h2, h3, h4')) {
      const walker = d.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const re = /\\S+/g; let m;
        while ((m = re.exec(node.data)) !== null) {
          const r = d.createRange(); r.setStart(node, m.index);
          r.setEnd(node, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
          if (tops.size < 2) continue;
          // Where the word goes to the next line: after a hyphen, an underscore or a slash
          // is how file names and codes wrap; anywhere else the word is split.
          let first = null, at = 0;
          for (let i = 0; i < m[0].length; i++) {
            const c = d.createRange(); c.setStart(node, m.index + i);
            c.setEnd(node, m.index + i + 1);
            const top = Math.round(c.getBoundingClientRect().top);
            if (first === null) first = top; else if (top !== first) { at = i; break; }
          }
          if (!'-_/'.includes(m[0][at - 1])) broken.push(m[0]);
        }
      }
    }
    const wide = [...d.querySelectorAll('.chart svg')].filter(
      s => s.getBoundingClientRect().width > s.parentElement.getBoundingClientRect().width + 1
    ).length;
    const smallest = Math.min(...[...d.querySelectorAll('.chart svg text')].map(
      t => t.getBoundingClientRect().height).filter(h => h > 0));
    document.getElementById('out').textContent = JSON.stringify({
      scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
      broken: broken, wideCharts: wide, smallestChartText: smallest,
      font: getComputedStyle(d.body).fontFamily,
      fontLoaded: d.fonts.check('16px "Source Sans Pro"')});
  });
});
</script></body></html>
"""


def browser() -> str:
    """Chromium's path; the test fails, loudly, when there is none (never a silent skip)."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("No Chromium on this machine: the phone-width check needs a real browser. "
                "Install it with `apt-get install -y chromium` (Debian); .ci/run does so.")


def measure_in_browser(report: Path, width: int) -> dict:
    """The report at `width` CSS pixels in headless Chromium: what _MEASURE records."""
    page = report.parent / f".measure-{width}.html"
    page.write_text(_MEASURE.replace("REPORT", report.name).replace("WIDTH", str(width)),
                    encoding="utf-8")
    try:
        done = subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--allow-file-access-from-files", "--virtual-time-budget=10000",
             "--window-size=800,900", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        page.unlink(missing_ok=True)
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, flags=re.S)
    assert found and found.group(1), f"Chromium measured nothing: {done.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))

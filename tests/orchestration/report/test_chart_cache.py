"""A chart drawn once is taken from the chart cache after, byte for byte; a broken or
unwritable cache only costs a new drawing. The page's inline fonts are kept the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.report import chart_cache, fonts
from orchestration.report.charts import Panel, render
from orchestration.report.figures import build_charts
from orchestration.report.flags import YearMarks
from tests.orchestration.report.builders import report_data


def _panel() -> Panel:
    return build_charts(report_data(), YearMarks({}))[0].panels[0]


def test_a_chart_is_drawn_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUPHAP_CHART_CACHE", str(tmp_path / "charts"))
    panel = _panel()
    first = render(panel)
    (svg,) = (tmp_path / "charts").glob("*.svg")
    assert svg.read_text(encoding="utf-8") == first.file_svg
    # What the cache holds is what is used: a changed entry shows in the next rendering.
    svg.write_text(svg.read_text(encoding="utf-8").replace("<svg", "<svg data-cached='1'", 1),
                   encoding="utf-8")
    assert "data-cached='1'" in render(panel).svg
    # A gone entry is drawn again, the same as the first time.
    svg.unlink()
    assert render(panel) == first


def test_an_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TUPHAP_CHART_CACHE", str(blocker / "charts"))
    panel = _panel()
    assert render(panel) == render(panel)
    assert chart_cache.load(chart_cache.chart_key(panel.spec)) is None


def test_the_inline_fonts_are_made_once_and_the_same(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUPHAP_CHART_CACHE", str(tmp_path / "charts"))
    fonts.css_font_faces.cache_clear()
    made = fonts.css_font_faces()
    (kept,) = (tmp_path / "charts").glob("*.css")
    assert kept.read_text(encoding="utf-8") == made
    assert made.count("@font-face") == len(fonts.FACES) and "data:font/woff;base64," in made
    fonts.css_font_faces.cache_clear()
    kept.unlink()
    assert fonts.css_font_faces() == made  # deterministic: the same bytes when made again
    fonts.css_font_faces.cache_clear()

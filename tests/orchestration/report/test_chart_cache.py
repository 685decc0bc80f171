"""A chart drawn once is taken from the chart cache after, byte for byte; a broken or
unwritable cache only costs a new drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.report import chart_cache
from orchestration.report.charts import render
from orchestration.report.document import build_charts
from tests.orchestration.report.builders import report_data


def test_a_chart_is_drawn_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUPHAP_CHART_CACHE", str(tmp_path / "charts"))
    chart = build_charts(report_data())[0]
    first = render(chart)
    (svg,) = (tmp_path / "charts").glob("*.svg")
    assert svg.with_suffix(".png").read_bytes() == first.png
    # What the cache holds is what is used: a changed entry shows in the next rendering.
    svg.write_text(svg.read_text(encoding="utf-8").replace("<svg", "<svg data-cached='1'", 1),
                   encoding="utf-8")
    assert "data-cached='1'" in render(chart).svg
    # A half-gone entry is drawn again, the same as the first time.
    svg.with_suffix(".png").unlink()
    assert render(chart) == first


def test_an_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TUPHAP_CHART_CACHE", str(blocker / "charts"))
    chart = build_charts(report_data())[0]
    assert render(chart) == render(chart)
    assert chart_cache.load(chart_cache.chart_key(chart.spec)) is None

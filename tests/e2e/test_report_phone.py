"""The yearly report's page on a phone, in a real headless Chromium (Debian's package): at 390 px
the page never scrolls sideways (tables scroll in their own box), no word is split across lines,
charts fit their box and their text stays legible, and the page is set in the report's own
type family, carried inline. Without a browser the test fails and says how to install one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Loaded
from tests.e2e.report_checks import measure_in_browser
from tests.e2e.test_report import report

pytestmark = pytest.mark.xdist_group("e2e")  # the shared demo load


@pytest.mark.parametrize("year", [2022, 2024, 2025])
def test_the_page_reads_on_a_phone_without_sideways_scrolling(demo_load: Loaded, tmp_path: Path,
                                                              year: int) -> None:
    code, (html, _, _), err = report("--year", str(year), "--warehouse",
                                     str(demo_load.warehouse), "--out", str(tmp_path))
    assert code == 0, err
    seen = measure_in_browser(html, 390)
    assert seen["clientWidth"] == 390
    assert seen["scrollWidth"] <= seen["clientWidth"], seen  # no sideways scroll of the page
    assert seen["broken"] == [], seen["broken"]  # no word split mid-word
    assert seen["wideCharts"] == 0
    assert seen["smallestChartText"] >= 10  # px of the text's box: about 8 px type or more
    assert seen["fontLoaded"] and seen["font"].startswith('"Source Sans Pro"')
    wide = measure_in_browser(html, 1280)
    assert wide["scrollWidth"] <= wide["clientWidth"] and wide["broken"] == []

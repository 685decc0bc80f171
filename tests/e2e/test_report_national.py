"""A national report of a 34-province year, from a real national load of its own.

Apart from test_report.py's demo load, in an xdist group of its own: the national load does not
need the demo's, so the other worker can run it meanwhile (pytest -n 2 --dist loadgroup).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ingest.sample import write_sample
from tests.e2e.conftest import isolated_env, tuphap
from tests.e2e.test_report import html_text, pdf_text, report

pytestmark = pytest.mark.xdist_group("e2e_national")


@pytest.fixture(scope="module")
def national_load(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real national load of the sample's last two years (34 provinces in 2025, 63 in 2024):
    the whole national sample would take minutes; two years are enough for the comparison."""
    base = tmp_path_factory.mktemp("national")
    env = isolated_env(base)
    env["TUPHAP_SCOPE"] = "national"
    write_sample(base / "inbox", scale="national", years=[2024, 2025], include_flawed=False)
    loaded = tuphap(["load", "--scope", "national"], env, timeout=900)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return base / "warehouse" / "tuphap.duckdb"


def test_a_national_report_of_a_34_province_year(national_load: Path, tmp_path: Path) -> None:
    code, (html, pdf, _), err = report("--year", "2025", "--scope", "national", "--warehouse",
                                       str(national_load), "--out", str(tmp_path))
    assert code == 0, err
    con = duckdb.connect(str(national_load), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select province_name from dim_province where valid_to is null").fetchall()]
    finally:
        con.close()
    assert len(names) == 34
    short = [re.sub(r"^(Tỉnh|Thành phố) ", "", n) for n in names]
    for text in (html_text(html), pdf_text(pdf)):
        assert "Toàn quốc" in text and "34 tỉnh, thành phố" in text
        for name in short:
            assert name in text, name
        # Compared with 2024 on the same land, the merged provinces' predecessors summed.
        assert "hợp nhất được cộng từ các tỉnh cũ" in text
        assert re.search(r"\((tăng|giảm) [\d,]+% so với năm 2024\)", text)
        assert "So sánh trên" not in text  # the whole country both years: not a partial base
    assert html.name == "so-lieu-tu-phap-2025-toan-quoc.html"

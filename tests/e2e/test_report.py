"""`tuphap report` on real loads: the demo's 2022 report holds the published figures, in the HTML
page and in the PDF's text; an open error is marked; nothing is fetched; the same warehouse gives
the same bytes (the workbook too); the Dagster asset writes the same files. A national report
of a 34-province year (test_report_national.py, a load of its own), how the report reads
(test_report_reading.py), on a phone (test_report_phone.py) and with targets and deadlines
(test_report_targets.py) are apart.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pypdf
import pytest

from orchestration.cli import main
from tests.e2e.conftest import Loaded

# One worker owns the shared demo load (pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e")

PUBLISHED_2022 = ("27.430", "410.870", "2.754/3.247", "84,82%", "24.196", "21.698", "89,68%")
CLUSTER_2022 = ("Hà Giang", "Cao Bằng", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La",
                "Lạng Sơn")


def report(*args: str) -> tuple[int, list[Path], str]:
    """`tuphap report ARGS` through the command line's own parser; (exit code, paths,
    stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["report", *args])
    return code, [Path(line) for line in out.getvalue().splitlines()], err.getvalue()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(parser.parts)))


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def report_2022(demo_load: Loaded, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("report-2022")
    code, paths, err = report("--year", "2022", "--warehouse", str(demo_load.warehouse),
                              "--out", str(out))
    assert code == 0, err
    return paths


def test_the_2022_report_holds_the_published_figures(report_2022: list[Path]) -> None:
    html, pdf, xlsx = report_2022
    assert (html.suffix, pdf.suffix, xlsx.suffix) == (".html", ".pdf", ".xlsx")
    for text in (html_text(html), pdf_text(pdf)):
        assert "Số liệu công tác tư pháp năm 2022" in text
        assert "Khu vực thi đua các tỉnh miền núi biên giới phía Bắc" in text
        for figure in PUBLISHED_2022:
            assert figure in text, figure
        for province in CLUSTER_2022:
            assert province in text, province
        assert "SỐ LIỆU GIẢ LẬP" in text  # the demo's files are the synthetic sample


def test_the_pdf_is_a4_with_its_fonts_embedded(report_2022: list[Path]) -> None:
    reader = pypdf.PdfReader(report_2022[1])
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    for resource in resources:
        for font in (resource.get("/Font") or {}).values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert any(k in descriptor.get_object() for k in ("/FontFile2", "/FontFile3"))


def test_the_html_page_fetches_nothing(report_2022: list[Path]) -> None:
    html = report_2022[0].read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[\w.-]+\.\w", html)
    assert not re.search(r"<(script|link|iframe|object|embed)\b", html)
    assert "@import" not in html
    # The one type family travels inside the page, as data: URLs.
    assert re.findall(r"url\((?!data:font/woff;base64,)", html) == []
    assert html.count("<svg") == 3 + 8  # the charts, inline: three dot plots, eight trends
    assert unicodedata.is_normalized("NFC", html)


def test_the_same_warehouse_gives_the_same_bytes(demo_load: Loaded, report_2022: list[Path],
                                                 tmp_path: Path) -> None:
    code, again, err = report("--year", "2022", "--warehouse", str(demo_load.warehouse),
                              "--out", str(tmp_path))
    assert code == 0, err
    for first, second in zip(report_2022, again, strict=True):
        assert first.name == second.name and first.read_bytes() == second.read_bytes()


def test_the_default_folder_is_reports_beside_the_warehouse(demo_load: Loaded,
                                                           tmp_path: Path) -> None:
    copy = tmp_path / "tuphap.duckdb"  # the shared demo's folder stays as the load left it
    shutil.copyfile(demo_load.warehouse, copy)
    code, paths, err = report("--year", "2021", "--warehouse", str(copy))
    assert code == 0, err
    assert [p.parent for p in paths] == [tmp_path / "reports"] * 3
    assert all(p.stat().st_size > 0 for p in paths)


def test_a_figure_with_an_open_error_is_marked(demo_load: Loaded, tmp_path: Path) -> None:
    # The demo's 2024 THADS-14 report resolves more cases than were eligible (ENF-05).
    code, (html, pdf, _), err = report("--year", "2024", "--warehouse",
                                       str(demo_load.warehouse), "--out", str(tmp_path))
    assert code == 0, err
    for text in (html_text(html), pdf_text(pdf)):
        assert "Sơn La†" in text
        assert "4.956†" in text and "4.919†" in text  # resolved and eligible, Sơn La's row
        # The footnote names the issue in words; the annex gives its rule.
        assert ("Cục Thi hành án dân sự tỉnh Sơn La, năm 2024: số giải quyết xong lớn hơn số "
                "có điều kiện (giải quyết xong 4.956 việc lớn hơn có điều kiện 4.919 việc)"
                ) in text
        assert "ENF-05" in text


def test_a_year_without_figures_is_refused_with_a_message(demo_load: Loaded,
                                                          tmp_path: Path) -> None:
    code, paths, err = report("--year", "2010", "--warehouse", str(demo_load.warehouse),
                              "--out", str(tmp_path))
    assert code == 1 and paths == []
    assert "no figures for 2010" in err
    assert list(tmp_path.iterdir()) == []


def test_the_dagster_asset_writes_the_same_reports(demo_load: Loaded, report_2022: list[Path],
                                                   tmp_path: Path) -> None:
    from orchestration.report.assets import yearly_reports
    from orchestration.warehouse.resources import PublishedWarehouseResource

    copy = tmp_path / "warehouse" / "tuphap.duckdb"  # reports of its own, beside it
    copy.parent.mkdir()
    shutil.copyfile(demo_load.warehouse, copy)
    result = dg.materialize(
        [yearly_reports], partition_key="2022", instance=dg.DagsterInstance.ephemeral(),
        resources={"published": PublishedWarehouseResource(path=str(copy), scope="cluster")})
    assert result.success
    written = copy.parent / "reports"
    for path in report_2022:
        assert (written / path.name).read_bytes() == path.read_bytes()


def test_a_load_leaves_the_reports_of_its_years_beside_the_warehouse(
        demo_load: Loaded, report_2022: list[Path]) -> None:
    written = demo_load.warehouse.parent / "reports"
    for path in report_2022:  # the command and the load's asset write the same bytes
        assert (written / path.name).read_bytes() == path.read_bytes()
    years = sorted(int(p.name.split("-")[4]) for p in written.glob("*-khu-vuc.pdf"))
    assert years == list(range(2018, 2026))


def test_the_code_location_lists_the_report_asset() -> None:
    from orchestration.definitions import load

    defs = load()
    assert dg.AssetKey("yearly_reports") in {a.key for a in defs.resolve_all_asset_specs()}


def test_reports_whose_inputs_did_not_change_are_not_rendered_again(
        demo_load: Loaded, tmp_path: Path) -> None:
    from orchestration.report.build import write_reports
    from orchestration.warehouse.engine import engine_for

    engine = engine_for(demo_load.warehouse)
    first = write_reports(engine, years=[2021, 2022], scope="cluster", out_dir=tmp_path)
    stamps = {p: p.stat().st_mtime_ns for paths in first.values() for p in (paths.html, paths.pdf)}
    first[2022].pdf.unlink()  # a missing file is written again, whatever the stamp says
    again = write_reports(engine, years=[2021, 2022], scope="cluster", out_dir=tmp_path)
    assert again == first
    assert first[2021].pdf.stat().st_mtime_ns == stamps[first[2021].pdf]  # left as it was
    assert first[2022].pdf.is_file()


def test_a_load_refreshes_the_reports_of_the_years_it_loaded(demo_load: Loaded,
                                                            tmp_path: Path) -> None:
    from orchestration.report.build import write_load_reports
    from orchestration.warehouse.engine import engine_for

    copy = tmp_path / "tuphap.duckdb"
    shutil.copyfile(demo_load.warehouse, copy)
    con = duckdb.connect(str(copy))
    try:  # as if the newest load had brought a corrected 2021 report only
        con.execute("update raw.submissions set loaded_at = loaded_at + interval 1 hour "
                    "where year = 2021")
    finally:
        con.close()
    written = write_load_reports(engine_for(copy), years=range(2015, 2027), scope="cluster")
    assert sorted(written) == [2021]
    assert sorted(p.name for p in (tmp_path / "reports").glob("*.pdf")) == [
        "so-lieu-tu-phap-2021-khu-vuc.pdf"]

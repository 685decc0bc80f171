"""The two layouts: a self-contained HTML page and an A4 PDF, from the same document; the issuing
block, the status, vector charts in one type family, the annex that `--no-annex` leaves out."""

import io
import re
import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

import pypdf
import pytest

from orchestration.report.document import Document, build_document
from orchestration.report.model import Issuer, Rejection
from orchestration.report.render import render_html, render_pdf
from tests.orchestration.report.builders import LOADED_AT, issue, report_data

HOSTILE_FILE = '<script>alert("x")</script>#panic("typst")_*bold*_$x$].xlsx'
HOSTILE_REASON = 'Tệp lỗi: #set text(fill: red) <img src="http://example.com/x.png"> ]['
ISSUER = Issuer(body="Sở Tư pháp tỉnh Lào Cai", parent="Ủy ban nhân dân tỉnh Lào Cai",
                number="125/BC-STP", place="Lào Cai", issued_on=date(2022, 11, 28),
                contact="Phòng Phổ biến, giáo dục pháp luật, điện thoại 0214 000 000")


@pytest.fixture(scope="module")
def document() -> Document:
    data = replace(report_data(issues=(issue(),)), rejections=(
        Rejection(HOSTILE_FILE, HOSTILE_REASON, None, LOADED_AT),))
    return build_document(data, stem="so-lieu-tu-phap-2022-khu-vuc")


@pytest.fixture(scope="module")
def html(document: Document) -> str:
    return render_html(document).decode("utf-8")


@pytest.fixture(scope="module")
def pdf(document: Document) -> bytes:
    return render_pdf(document, timestamp=LOADED_AT)


def pdf_text(pdf_bytes: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def _fonts(pdf_bytes: bytes) -> list[Any]:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            found.append(font.get_object())
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            inner = xobject.get_object().get("/Resources") or {}
            found += [f.get_object() for f in (inner.get("/Font") or {}).values()]
    return found


def images(pdf_bytes: bytes) -> int:
    """Raster images anywhere in the PDF (charts placed as PNG would be some)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return sum(len(page.images) for page in reader.pages)


def test_the_sections_come_in_the_order_of_the_contract(html: str) -> None:
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["1. Tóm tắt", "2. Số liệu theo tỉnh", "3. Biểu đồ",
                        "4. Tình hình gửi báo cáo", "5. Chất lượng số liệu", "6. Nguồn số liệu",
                        "Phụ lục kỹ thuật"]
    assert "<h1>Số liệu công tác tư pháp năm 2022</h1>" in html
    assert "Gồm 3 tỉnh: Hà Giang, Cao Bằng và Lào Cai" in html
    # The charts are numbered and say what they show, with their alternative in words.
    assert re.findall(r"<h3 id=\"title-[\w-]+\">(Biểu đồ \d)\.", html) == [
        "Biểu đồ 1", "Biểu đồ 2", "Biểu đồ 3", "Biểu đồ 4"]
    assert "Số liệu của biểu đồ 1: Lào Cai 91,11%" not in html  # all three are equal: 91,11%
    assert "Số liệu của biểu đồ 3: Lào Cai 95,00%; Cao Bằng 90,00%; Hà Giang 85,00%" in html


def test_html_escapes_text_from_reports_and_fetches_nothing(html: str) -> None:
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;img src=" in html  # the reason is shown, not loaded
    # The only URL is the one inside the escaped rejection reason: nothing to fetch; the
    # fonts are inline (data: URLs).
    assert re.findall(r"https?://", html.replace("http://example.com/x.png", "")) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    assert re.findall(r"url\((?!data:font/woff;base64,)", html) == []
    assert 'href="so-lieu-tu-phap-2022-khu-vuc.xlsx"' in html  # the tables, beside the page
    assert html.count("<svg") == 3 + 8  # three dot plots, eight small multiples
    assert unicodedata.is_normalized("NFC", html)


def test_a_report_without_an_issuer_is_a_draft_and_with_one_is_a_document(
        document: Document, html: str) -> None:
    assert "DỰ THẢO" in html and "Số:        /BC-" in html
    issued = build_document(replace(report_data(), issuer=ISSUER))
    page = render_html(issued).decode("utf-8")
    assert "DỰ THẢO" not in page
    for text in ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "SỞ TƯ PHÁP TỈNH LÀO CAI", "Số: 125/BC-STP",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Lào Cai, ngày 28 tháng 11 năm 2022",
                 "Đầu mối liên hệ: Phòng Phổ biến"):
        assert text in page, text
    assert "Lào Cai, ngày 28 tháng 11 năm 2022" in pdf_text(render_pdf(issued, timestamp=None))


def test_the_status_follows_the_data(document: Document) -> None:
    # The sample's THADS units sent nothing, and Cao Bằng's cases rest on an open error.
    assert document.status == ("Số liệu sơ bộ: còn thiếu 6 biểu báo cáo và còn 1 lỗi chưa được "
                               "xử lý.")
    assert build_document(report_data()).status == "Số liệu sơ bộ: còn thiếu 6 biểu báo cáo."
    sent = report_data()
    everything = replace(sent, submissions=sent.submissions + tuple(
        replace(s, unit_code=f"THADS-{s.unit_code[4:]}", form=form)
        for s in sent.submissions[::2] for form in ("THADS_VIEC", "THADS_TIEN")))
    assert build_document(everything).status.startswith("Số liệu chính thức")


def test_pdf_is_a4_in_one_family_with_vector_charts(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = _fonts(pdf)
    assert fonts and {f["/BaseFont"].split("+")[-1].split("-")[0] for f in fonts} == {
        "SourceSansPro"}
    assert images(pdf) == 0  # the charts are vectors
    text = pdf_text(pdf)
    assert "Số liệu công tác tư pháp năm 2022" in text
    assert "#set text(fill: red)" in text  # typst received it as data, not markup
    assert "Cao Bằng†" in text
    assert "Số liệu của biểu đồ 3: Lào Cai 95,00%; Cao Bằng 90,00%; Hà Giang 85,00%" in text
    # Long names may break after "_", with nothing invisible left in the copied text.
    assert "ENF-05" in text and "\u200b" not in text
    assert "so-lieu-tu-phap-2022-khu-vuc.xlsx" in text  # the workbook, named


def test_no_annex_leaves_the_technical_names_out_of_the_pdf(document: Document) -> None:
    text = pdf_text(render_pdf(document, timestamp=LOADED_AT, with_annex=False))
    assert "Phụ lục kỹ thuật" not in text
    for technical in ("ENF-05", "THADS_VIEC", "fct_", "rejected_reports", ".xlsx\n",
                      "#panic"):
        assert technical not in text, technical


def test_same_document_same_bytes(document: Document, html: str, pdf: bytes) -> None:
    assert render_html(document).decode("utf-8") == html
    assert render_pdf(document, timestamp=LOADED_AT) == pdf

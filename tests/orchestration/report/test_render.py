"""The two layouts: a self-contained HTML page and an A4 PDF, from the same document."""

import io
import re
import unicodedata
from dataclasses import replace
from typing import Any

import pypdf
import pytest

from orchestration.report.document import Document, build_document
from orchestration.report.model import Rejection
from orchestration.report.render import render_html, render_pdf
from tests.orchestration.report.builders import LOADED_AT, issue, report_data

HOSTILE_FILE = '<script>alert("x")</script>#panic("typst")_*bold*_$x$].xlsx'
HOSTILE_REASON = 'Tệp lỗi: #set text(fill: red) <img src="http://example.com/x.png"> ]['


@pytest.fixture(scope="module")
def document() -> Document:
    data = replace(report_data(issues=(issue(),)), rejections=(
        Rejection(HOSTILE_FILE, HOSTILE_REASON, None, LOADED_AT),))
    return build_document(data)


@pytest.fixture(scope="module")
def html(document: Document) -> str:
    return render_html(document).decode("utf-8")


@pytest.fixture(scope="module")
def pdf(document: Document) -> bytes:
    return render_pdf(document, timestamp=LOADED_AT)


def pdf_text(pdf_bytes: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def _embedded(font: Any) -> bool:
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_the_sections_come_in_the_order_of_the_contract(html: str) -> None:
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["1. Tóm tắt", "2. Số liệu theo tỉnh", "3. Biểu đồ",
                        "4. Tình hình gửi báo cáo", "5. Chất lượng số liệu", "6. Nguồn số liệu"]
    assert "<h1>Số liệu công tác tư pháp năm 2022</h1>" in html
    assert "Gồm 3 tỉnh: Hà Giang, Cao Bằng và Lào Cai" in html


def test_html_escapes_text_from_reports_and_fetches_nothing(html: str) -> None:
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;img src=" in html  # the reason is shown, not loaded
    # The only URL is the one inside the escaped rejection reason: nothing to fetch.
    assert re.findall(r"https?://", html.replace("http://example.com/x.png", "")) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") == 3  # the charts, inline
    assert unicodedata.is_normalized("NFC", html)


def test_pdf_is_a4_with_embedded_fonts_and_shows_report_text_literally(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    fonts = [f.get_object() for r in resources for f in (r.get("/Font") or {}).values()]
    assert fonts and all(_embedded(f) for f in fonts)
    text = pdf_text(pdf)
    assert "Số liệu công tác tư pháp năm 2022" in text
    assert "#set text(fill: red)" in text  # typst received it as data, not markup
    assert "Cao Bằng†" in text
    # Long names may break after "_", with nothing invisible left in the copied text.
    assert "ENF-05: " in text and "\u200b" not in text


def test_same_document_same_bytes(document: Document, html: str, pdf: bytes) -> None:
    assert render_html(document).decode("utf-8") == html
    assert render_pdf(document, timestamp=LOADED_AT) == pdf

"""normalise_key and echo: the building blocks of every matcher and message."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.text import echo, normalise_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ngày lập báo cáo:", "ngay lap bao cao"),
        ("  ĐƠN   VỊ  BÁO CÁO ", "don vi bao cao"),
        ("Hoà Bình", "Hòa Bình"),
        ("TP. Hà Nội", "tp ha noi"),
        (unicodedata.normalize("NFD", "Sở Tư pháp tỉnh Điện Biên"), "so tu phap tinh dien bien"),
        ("THADS_VIEC", "thads viec"),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Năm\u00a0báo\tcáo", "nam bao cao"),
    ],
)
def test_normalise_key_equates_spellings(a: str, b: str) -> None:
    assert normalise_key(a) == normalise_key(b)


def test_normalise_key_keeps_distinct_words_distinct() -> None:
    assert normalise_key("Năm báo cáo") != normalise_key("Ngày lập báo cáo")
    assert normalise_key(None) == ""
    assert normalise_key("đ Đ") == "d d"


def test_echo_truncates_and_flattens() -> None:
    text = echo("dòng 1\ndòng 2\r\n\x00" + "x" * 200)
    assert "\n" not in text and "\r" not in text and "\x00" not in text
    assert len(text) <= 60 and text.endswith("…")
    assert text.startswith("dòng 1 dòng 2")


def test_echo_prints_numbers_the_vietnamese_way() -> None:
    assert echo(27430.0) == "27.430"
    assert echo(89.68) == "89,68"
    assert echo(float("nan")) == "nan"  # no digits to group, but still echoed

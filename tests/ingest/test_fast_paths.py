"""The shortcuts taken for speed answer exactly what the straightforward algorithms answer.

Parsing a national load runs these helpers millions of times, so they take shortcuts: a cache
and an ASCII fast path for text keys, a fast path for plain whole numbers, C-level aggregation
and prefix-free patterns in the sheet-XML guard. Each test compares a shortcut with the plain
algorithm it replaced (kept here as the reference) on arbitrary input.
"""

from __future__ import annotations

import io
import re
import unicodedata
from decimal import Decimal
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import filekind
from ingest.numbers import NumberError, ParsedNumber, parse_number, plain_whole
from ingest.text import normalise_key, strip_diacritics
from ingest.workbook import guards

# ---------------------------------------------------------------------------------------------
# Text keys


def reference_strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


def reference_normalise_key(text: object) -> str:
    if text is None:
        return ""
    folded = unicodedata.normalize("NFC", str(text)).casefold()
    plain = reference_strip_diacritics(folded)
    return " ".join(re.sub(r"[^\w\s]|_", " ", plain).split())


VIETNAMESE = st.sampled_from(list("ĐđƠơƯưÂâĂăÊêÔô áàảãạ ÁÀ ̀ ́ ̃ ̉ ̣ ớờởỡợ _-:.()\u00a0\t"))
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(VIETNAMESE, max_size=40),
    st.text(max_size=300),  # longer than the cache takes
    st.sampled_from(["Tổng cộng", "TỔNG SỐ", "Hoà Bình", "Sở Tư pháp tỉnh Điện Biên",
                     unicodedata.normalize("NFD", "Ngày lập báo cáo:"), "THADS_VIEC"]),
)


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_strip_diacritics_matches_the_reference(text: str) -> None:
    assert strip_diacritics(text) == reference_strip_diacritics(text)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.decimals()))
def test_normalise_key_matches_the_reference(value: object) -> None:
    # Twice: the second answer comes from the cache.
    assert normalise_key(value) == reference_normalise_key(value)
    assert normalise_key(value) == reference_normalise_key(value)


def test_cached_keys_keep_equal_but_different_values_apart() -> None:
    """1, 1.0 and True are equal dictionary keys, but their texts differ."""
    assert [normalise_key(v) for v in (1, 1.0, True, "1")] == ["1", "1 0", "true", "1"]


# ---------------------------------------------------------------------------------------------
# Numbers

NUMBER_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.,-+−% \u00a0٣")), max_size=25)
WHOLE = st.integers(min_value=0, max_value=2**54)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(NUMBER_TEXT, st.text(max_size=20), st.integers(), st.floats(), st.booleans(),
                 st.decimals(), st.none(), WHOLE.map(str),
                 WHOLE.map(lambda n: f"{n:,}".replace(",", "."))))
def test_plain_whole_agrees_with_parse_number(raw: object) -> None:
    value = plain_whole(raw)
    if value is None:
        return
    parsed = parse_number(raw)
    assert parsed == ParsedNumber(value, 0, True, False)
    assert 0 <= value and str(value) != "-0.0"


def test_plain_whole_leaves_everything_else_to_the_full_rules() -> None:
    for raw in ("0.500", "89,68", "1.234,5", "-3", "+3", "1 234", "12a", "", "٣", True, -1, -0.5,
                0.5, 2**53 + 1, float(2**54), "9007199254740993", Decimal(3), float("nan")):
        assert plain_whole(raw) is None, raw
    try:
        parse_number("9007199254740993")
    except NumberError as exc:
        assert exc.code == "too_large"


# ---------------------------------------------------------------------------------------------
# The sheet-XML guard

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
REF_CELL = re.compile(rb"<" + _NS + rb'c\s(?:[^>]*?\s)?r="([A-Z]{1,3})([0-9]{1,7})"')
REF_ANY_CELL = re.compile(rb"<" + _NS + rb"c[\s>/]")
# Group 1: the cell's attributes (a t="str" cell with an empty value caches "", not nothing).
REF_UNCACHED = re.compile(
    rb"<" + _NS + rb'c\s([^>]*?r="[A-Z]{1,3}[0-9]{1,7}"[^>]*)>\s*'
    rb"<" + _NS + rb"f[\s>/][^<]*(?:</" + _NS + rb"f>)?\s*"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)?"
    rb"\s*</" + _NS + rb"c>")
REF_ROW = re.compile(rb"<" + _NS + rb'row[\s>/](?:[^>]*?\s)?(?:r="([0-9]{1,7})")?')


def reference_scan(data: bytes, chunk_size: int) -> tuple[int, int, int, list[str]]:
    """The guard's scan as first written: one Python step per match."""
    min_row = min_col = 1 << 30
    max_row = max_col = 0
    row_elements = cells = cells_with_ref = total = 0
    tail = b""
    uncached: list[str] = []
    stream = io.BytesIO(data)
    while chunk := stream.read(chunk_size):
        total += len(chunk)
        buf = tail + chunk
        for m in REF_CELL.finditer(buf):
            col = 0
            for ch in m.group(1):
                col = col * 26 + (ch - 64)
            row = int(m.group(2))
            min_row, max_row = min(min_row, row), max(max_row, row)
            min_col, max_col = min(min_col, col), max(max_col, col)
            cells_with_ref += 1
        cells += len(REF_ANY_CELL.findall(buf))
        if len(uncached) < 10:
            for m in REF_UNCACHED.finditer(buf):
                ref = re.search(rb'(?:^|\s)r="([A-Z]{1,3}[0-9]{1,7})"', m.group(1))
                if ref is None or re.search(rb'(?:^|\s)t="str"', m.group(1)):
                    continue
                if ref.group(1).decode() not in uncached:
                    uncached.append(ref.group(1).decode())
        for m in REF_ROW.finditer(buf):
            row_elements += 1
            if m.group(1):
                row = int(m.group(1))
                min_row, max_row = min(min_row, row), max(max_row, row)
        tail = buf[-256:]
    if not cells:
        return 0, 0, total, uncached
    rows = max(max_row - min_row + 1 if max_row else 0, row_elements)
    cols = max_col - min_col + 1 if max_col else 0
    if cells > cells_with_ref:
        cols = max(cols, min(cells, 16_384))
    return rows, cols, total, uncached[:10]


def test_the_guard_patterns_are_the_reference_patterns() -> None:
    pairs = [(guards.XLSX_CELL, REF_CELL), (guards.XLSX_ANY_CELL, REF_ANY_CELL),
             (guards.XLSX_UNCACHED_FORMULA, REF_UNCACHED), (guards.XLSX_ROW, REF_ROW)]
    for pattern, reference in pairs:
        assert pattern.full.pattern == reference.pattern


TOKENS = [
    b'<c r="B7">', b'<c r="AA12" t="s">', b'<c  t="n" r="C3">', b'<c r="A1" r="B2">',
    b'<c\tr="XFD1048576"/>', b"<c>", b"<c/>", b"<cell>", b'<c r="B0000012">', b"</c>",
    b'<c r="E5" t="str">', b'<c t="str" r="F6">', b'<c r="G7" t="string">',
    b'<row r="5">', b"<row>", b"<row/>", b'<row r="7" spans="1:3">', b"<f>SUM(A1:A3)</f>", b"<f/>",
    b"<v></v>", b"<v/>", b"<v>12</v>", b'<c r="Q1"><f>1+1</f></c>', b"<is><t>x</t></is>",
    b' r="ZZZ9999999"', b" ", b"\n", b"<", b">", b"a", b"\xff", b"<sheetData>", b"<fx>",
    # namespace-prefixed tags, and the text that decides between the two pattern forms
    b'<x:c r="D4">', b"</x:c>", b"<x:row r='7'>", b'<x:row r="70">', b"<x:f>", b"</x:f>",
    b"<x:v/>", b'<x:c r="Q2"><x:f>1</x:f><x:v/></x:c>', b'<ns.a-b:c r="E5">', b"<_:c ", b":c",
    b":c ", b":row>", b":f/", b":v>", b"<a:clrScheme>", b"xmlns:x=\"http://x\"",
]
PLAIN_TOKENS = [t for t in TOKENS if b":" not in t]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=8)), max_size=200)
       | st.lists(st.sampled_from(PLAIN_TOKENS), max_size=400),
       st.sampled_from([1 << 20, 4096, 257, 64, 7]))
def test_sheet_scan_matches_the_reference(tokens: list[bytes], chunk_size: int) -> None:
    data = b"".join(tokens)
    with mock.patch.object(guards, "_CHUNK", chunk_size):
        extent, total, uncached = guards.scan_xlsx_member(io.BytesIO(data))
    assert (extent.rows, extent.cols, total, uncached) == reference_scan(data, chunk_size)


# ---------------------------------------------------------------------------------------------
# Sniffing


@settings(deadline=None)  # a deadline times the machine's load, not this code
@given(st.binary(max_size=400))
def test_control_character_count_matches_the_reference(head: bytes) -> None:
    expected = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    assert len(head.translate(None, filekind.NOT_CONTROL)) == expected

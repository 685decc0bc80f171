"""parse_number: numeric cells and numbers written the Vietnamese way, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.numbers import MAX_EXACT, NumberError, parse_number


def vn_int(n: int, sep: str = ".") -> str:
    """The test's own formatter: thousands grouped by `sep`, as Vietnamese print counts."""
    digits = str(n)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sep.join(groups)


def vn_rate(hundredths: int) -> str:
    """A rate with 2 decimals: 8968 -> "89,68"."""
    return f"{vn_int(hundredths // 100)},{hundredths % 100:02d}"


@pytest.mark.parametrize(
    ("raw", "value", "decimals"),
    [
        (27430.0, 27430, 0),
        (27430, 27430, 0),
        (84.82, 84.82, 2),
        ("27.430", 27430, 0),
        ("1.826.513", 1826513, 0),
        ("89,68", 89.68, 2),
        ("89,68%", 89.68, 2),
        ("89,68 %", 89.68, 2),
        (" 85 ", 85, 0),
        ("85", 85, 0),
        ("1 826 513", 1826513, 0),
        ("1\u00a0826\u00a0513", 1826513, 0),
        ("1.826.513,25", 1826513.25, 2),
        ("89.68", 89.68, 2),  # only "." and a group that is not 3 digits: a decimal point
        ("0.500", 0.5, 3),  # a leading 0 cannot start a thousands group
        ("-5", -5, 0),
        ("−3", -3, 0),  # the Unicode minus sign
        ("0", 0, 0),
        (str(MAX_EXACT), MAX_EXACT, 0),
    ],
)
def test_parses(raw: object, value: float, decimals: int) -> None:
    parsed = parse_number(raw)
    assert parsed.value == value
    assert parsed.decimals == decimals
    assert parsed.is_integer == float(value).is_integer()


def test_percent_flag() -> None:
    assert parse_number("85%").percent
    assert not parse_number("85").percent


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12a", "not_a_number"),
        ("1,8 triệu", "not_a_number"),
        ("hơn 1,8 triệu", "not_a_number"),
        ("1,826,513", "not_a_number"),
        ("1e5", "not_a_number"),
        ("", "not_a_number"),
        ("-", "not_a_number"),
        (True, "not_a_number"),
        (None, "not_a_number"),
        ("NaN", "nan"),
        (float("nan"), "nan"),
        ("inf", "infinite"),
        ("-Infinity", "infinite"),
        (float("inf"), "infinite"),
        ("99999999999999999999999", "too_large"),  # beyond 64 bits
        ("18.446.744.073.709.551.616", "too_large"),  # 2**64, grouped
        (2**64, "too_large"),
        (1e300, "too_large"),
        (str(MAX_EXACT + 1), "too_large"),
        ("9" * 100, "not_a_number"),  # absurdly long text is refused before any arithmetic
    ],
)
def test_refuses(raw: object, code: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(raw)
    assert info.value.code == code


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_EXACT), st.sampled_from([".", " ", "\u00a0"]))
def test_vietnamese_integer_round_trip(n: int, sep: str) -> None:
    parsed = parse_number(vn_int(n, sep))
    assert parsed.value == n and parsed.decimals == 0 and parsed.is_integer


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10_000_000), st.booleans())
def test_vietnamese_rate_round_trip(hundredths: int, percent: bool) -> None:
    text = vn_rate(hundredths) + ("%" if percent else "")
    parsed = parse_number(text)
    assert Decimal(repr(parsed.value)) == Decimal(hundredths) / 100
    assert parsed.decimals == 2
    assert parsed.percent is percent


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
def test_numeric_cells_keep_their_shortest_precision(x: float) -> None:
    parsed = parse_number(x)
    assert parsed.value == x
    assert parsed.decimals <= 2

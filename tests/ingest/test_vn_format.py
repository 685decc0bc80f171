"""format_number with decimals=None: a value echoed with the digits it has, the Vietnamese way.

Rounded figures (decimals=0, 2, ...) are tested in tests/quality/test_vn_format.py; these are
the cases ingest.text.echo needs, formerly ingest.text.format_vn's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.vn_format import format_number


@pytest.mark.parametrize(
    ("number", "text"),
    [(27430, "27.430"), (1826513, "1.826.513"), (89.68, "89,68"), (0.5, "0,5"), (-1234.5,
     "-1.234,5"), (12, "12"), (1e20, "100.000.000.000.000.000.000")],
)
def test_values_print_with_their_own_digits(number: float, text: str) -> None:
    assert format_number(number, None) == text


@pytest.mark.parametrize(
    ("number", "text"),
    [(1826513.0, "1.826.513"), (-0.0, "0"), (1e-7, "0,0000001"), (Decimal("89.680"), "89,68"),
     (Decimal("1E+3"), "1.000"), ("2.675", "2,675")],
)
def test_as_many_decimals_as_the_value_has(number: object, text: str) -> None:
    assert format_number(number, None) == text  # type: ignore[arg-type]


def test_figures_beyond_the_default_decimal_precision_keep_every_digit() -> None:
    assert format_number(10**30 + 1) == "1.000.000.000.000.000.000.000.000.000.001"
    assert format_number(-(10**30) - 1, None) == "-1.000.000.000.000.000.000.000.000.000.001"


@settings(deadline=None)  # a deadline times the machine's load, not this code
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_the_digits_read_back_to_the_same_float(number: float) -> None:
    text = format_number(number, None)
    assert float(text.replace(".", "").replace(",", ".")) == number


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError):
        format_number(float("nan"), None)

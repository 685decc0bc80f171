"""Numbers printed the Vietnamese way (ingest/vn_format.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.vn_format import format_number, format_percent


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (27430, 0, "27.430"),
        (1826513, 0, "1.826.513"),
        (410870, 0, "410.870"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (0, 0, "0"),
        (89.68, 2, "89,68"),
        (89.678, 2, "89,68"),
        (84.817, 0, "85"),
        (2.675, 2, "2,68"),  # half up on the printed decimal, not the binary float
        (0.5, 0, "1"),
        (1234567.891, 1, "1.234.567,9"),
        (-1234.5, 0, "-1.235"),
        (-0.001, 2, "0,00"),
        (Decimal("741240"), 0, "741.240"),
        (3569.0, 0, "3.569"),
        (10**15, 0, "1.000.000.000.000.000"),
    ],
)
def test_format_number(value: float, decimals: int, expected: str) -> None:
    assert format_number(value, decimals) == expected


def test_format_percent() -> None:
    assert format_percent(89.68) == "89,68%"
    assert format_percent(100 * 21698 / 24196) == "89,68%"
    assert format_percent(100 * 2754 / 3247, 0) == "85%"
    assert format_percent(83.86, 1) == "83,9%"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc"])
def test_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        format_number(bad)  # type: ignore[arg-type]


def test_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_number(1, -1)

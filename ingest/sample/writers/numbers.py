"""Figures as a unit prints them: which columns, rates from the counts, the Vietnamese way."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ingest.forms import FORM_COLUMNS
from ingest.sample.figures.atoms import RATE_OPERANDS, rate
from ingest.vn_format import format_number


def vn_int(value: int) -> str:
    """27430 -> '27.430' (Vietnamese thousands grouping)."""
    return format_number(value)


def vn_decimal(value: Decimal) -> str:
    """Decimal('89.68') -> '89,68': every digit the value carries, none added."""
    return format_number(value, max(0, -int(value.as_tuple().exponent)))


def rate_for(indicator: str, counts: Mapping[str, int], decimals: int) -> Decimal | None:
    num, den = RATE_OPERANDS[indicator]
    return rate(counts[num], counts[den], decimals)


def columns_of(form: str, omit: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(column number, indicator) of the columns a unit prints, in order."""
    return [(n, ind) for n, ind in sorted(FORM_COLUMNS[form].items()) if ind not in omit]

"""Numbers printed the Vietnamese way: "." groups thousands, "," is the decimal mark.

Every figure shown to a person (issue messages, alerts, the CLI summary, a cell value echoed
in a rejection) goes through here, so "27.430", "1.826.513" and "89,68%" look the same
everywhere. Rounding is half away from zero, as people round by hand (84,825 -> 84,83), done in
Decimal so 2,675 does not become 2,67.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = ["Numeric", "format_number", "format_percent"]

Numeric = int | float | Decimal | str
"""What the formatters take: a number, or its text ("2.675")."""


def _to_decimal(x: Numeric) -> Decimal:
    # str(float) is the shortest repr that round-trips, so 2.675 stays 2.675 (not 2.67499...).
    try:
        value = x if isinstance(x, Decimal) else Decimal(str(x))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {x!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {x!r}")
    return value


def format_number(x: Numeric, decimals: int | None = 0) -> str:
    """27430 -> "27.430"; 1826513 -> "1.826.513"; format_number(89.678, 2) -> "89,68".

    `decimals=None` keeps every digit the value has and no more, for echoing a value as it
    was written rather than a computed figure: 89.68 -> "89,68", 1826513.0 -> "1.826.513".
    """
    exact = _to_decimal(x)
    if decimals is None:
        decimals = _decimals_of(exact)
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    # Enough precision for every digit: the default 28 digits made quantize() raise
    # InvalidOperation for figures of 10^28 and more.
    with localcontext() as context:
        context.prec = max(28, exact.adjusted() + decimals + 2)
        value = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    # copy_abs() is exact; abs() would round to the default context's 28 digits.
    text = f"{value.copy_abs():.{decimals}f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    if decimals:
        out += "," + fraction
    return sign + out


def _decimals_of(value: Decimal) -> int:
    """How many decimals `value` has once trailing zeros are dropped: 89.680 -> 2, 1E+3 -> 0."""
    # format(..., "f") writes every digit without rounding (normalize() would round to the
    # context's 28 digits).
    _, _, fraction = format(value, "f").partition(".")
    return len(fraction.rstrip("0"))


def format_percent(x: Numeric, decimals: int = 2) -> str:
    """A rate already on the 0-100 scale: 89.678 -> "89,68%"; (85, 0) -> "85%"."""
    return format_number(x, decimals) + "%"

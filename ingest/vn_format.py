"""Numbers printed the Vietnamese way: "." groups thousands, "," is the decimal mark.

Every figure shown to a person (issue messages, alerts, the CLI summary) goes through here, so
"27.430", "1.826.513" and "89,68%" look the same everywhere. Rounding is half away from zero,
as people round by hand (84,825 -> 84,83), done in Decimal so 2,675 does not become 2,67.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from numbers import Real

__all__ = ["format_number", "format_percent"]


def _to_decimal(x: Real | Decimal | str) -> Decimal:
    # str(float) is the shortest repr that round-trips, so 2.675 stays 2.675 (not 2.67499...).
    try:
        value = x if isinstance(x, Decimal) else Decimal(str(x))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {x!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {x!r}")
    return value


def format_number(x: Real | Decimal | str, decimals: int = 0) -> str:
    """27430 -> "27.430"; 1826513 -> "1.826.513"; format_number(89.678, 2) -> "89,68"."""
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    exact = _to_decimal(x)
    # Enough precision for every digit: the default 28 digits made quantize() raise
    # InvalidOperation for figures of 10^28 and more.
    with localcontext() as context:
        context.prec = max(28, exact.adjusted() + decimals + 2)
        value = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    if decimals:
        out += "," + fraction
    return sign + out


def format_percent(x: Real | Decimal | str, decimals: int = 2) -> str:
    """A rate already on the 0-100 scale: 89.678 -> "89,68%"; (85, 0) -> "85%"."""
    return format_number(x, decimals) + "%"

"""How the report prints figures, changes, money and dates, the Vietnamese way.

Every number goes through ingest/vn_format.py (the project's one formatter); this module only
decides units and signs. Rates are recomputed here from counts, in Decimal, so 2.754 of 3.247
prints 84,82% exactly as a person dividing by hand would round it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from ingest.vn_format import format_number, format_percent

VIETNAM_TIME = timezone(timedelta(hours=7))
"""Giờ Việt Nam (UTC+7, no daylight saving): the load's timestamps are stored in UTC."""

MISSING = "—"
UP, DOWN = "▲", "▼"
_BILLION = Decimal(1_000_000_000)
_MILLION = Decimal(1_000_000)


def nfc(text: str) -> str:
    """Names from reports may arrive decomposed (NFD); everything printed is NFC."""
    return unicodedata.normalize("NFC", text)


def count(value: int | None) -> str:
    """27430 -> "27.430"; a figure not reported -> "—"."""
    return MISSING if value is None else format_number(value)


def rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    """100 × numerator / denominator, exact enough for two decimals; None when undefined."""
    if numerator is None or not denominator:
        return None
    return Decimal(100 * numerator) / Decimal(denominator)


def percent(value: Decimal | float | None, decimals: int = 2) -> str:
    return MISSING if value is None else format_percent(value, decimals)


def money_unit(values: Sequence[int | None]) -> str:
    """The unit a column of money (thousand VND) reads best in: "tỷ đồng" unless the smallest
    non-zero figure is under one billion đồng, then "triệu đồng"."""
    present = [abs(v) for v in values if v]
    if present and min(present) * 1000 < _BILLION:
        return "triệu đồng"
    return "tỷ đồng"


def money_divisor(unit: str) -> Decimal:
    """Đồng per `unit` ("tỷ đồng" or "triệu đồng")."""
    return _BILLION if unit == "tỷ đồng" else _MILLION


def money_number(thousand_vnd: int | None, unit: str) -> str:
    """A money figure (thousand VND) in `unit` with one decimal, without the unit's name."""
    if thousand_vnd is None:
        return MISSING
    return format_number(Decimal(thousand_vnd) * 1000 / money_divisor(unit), 1)


def money(thousand_vnd: int | None) -> str:
    """593_200_000 (thousand VND) -> "593,2 tỷ đồng"; 850_000 -> "850,0 triệu đồng"."""
    if thousand_vnd is None:
        return MISSING
    dong = abs(thousand_vnd) * 1000
    if dong < _MILLION:
        return f"{format_number(thousand_vnd * 1000)} đồng"
    unit = "tỷ đồng" if dong >= _BILLION else "triệu đồng"
    return f"{money_number(thousand_vnd, unit)} {unit}"


POINTS = "điểm phần trăm"


def relative(current: int | None, previous: int | None) -> Decimal | None:
    """The change of a count in per cent of last year's; None when there is nothing to compare."""
    if current is None or previous is None or not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change of a rate in percentage points."""
    return None if current is None or previous is None else current - previous


def _size(delta: Decimal, decimals: int) -> str | None:
    """|delta| with `decimals`, one more digit while a real change would print as zero (12
    sessions on 27.430 is 0,04%, never "không đổi"); None when it is exactly zero."""
    if delta == 0:
        return None
    for places in (decimals, decimals + 1, decimals + 2):
        shown = format_number(abs(delta), places)
        if shown.strip("0,"):
            return shown
    return "dưới " + format_number(Decimal(1).scaleb(-(decimals + 2)), decimals + 2)


def change_words(delta: Decimal | None, *, is_rate: bool) -> str | None:
    """A change in words for a sentence: "tăng 2,4%", "giảm 0,98 điểm phần trăm", "không đổi"
    (counts in per cent with one decimal, rates in percentage points with two)."""
    if delta is None:
        return None
    shown = _size(delta, 2 if is_rate else 1)
    if shown is None:
        return "không đổi"
    return f"{'tăng' if delta > 0 else 'giảm'} {shown}{' ' + POINTS if is_rate else '%'}"


def change_arrow(delta: Decimal | None, *, is_rate: bool) -> str:
    """The same change in a table cell, where arrows may stay: "▲ 2,4%", "▼ 0,98"; "—" when
    there is nothing to compare (a rate's unit, điểm phần trăm, is said in the column head)."""
    if delta is None:
        return MISSING
    shown = _size(delta, 2 if is_rate else 1)
    if shown is None:
        return "không đổi"
    return f"{UP if delta > 0 else DOWN} {shown}{'' if is_rate else '%'}"


def vn_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy; a timestamp is first put in Vietnam time. ISO text is accepted too."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM_TIME) if value.tzinfo else value
    return value.strftime("%d/%m/%Y")


def long_date(value: date | None) -> str:
    """ "ngày 28 tháng 11 năm 2022", as a document's place and date line writes it."""
    if value is None:
        return "ngày     tháng     năm      "
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


def vn_datetime(value: datetime | None) -> str:
    """ "17:21 ngày 02/12/2026" in Vietnam time."""
    if value is None:
        return MISSING
    local = value.astimezone(VIETNAM_TIME) if value.tzinfo else value
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def join(items: Sequence[str]) -> str:
    """ "A", "A và B", "A, B và C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"

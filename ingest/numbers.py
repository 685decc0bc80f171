"""Reading one figure from a cell or CSV field: numeric cells and Vietnamese-formatted text.

Vietnamese write "27.430" for twenty-seven thousand four hundred and thirty and "89,68" for
eighty-nine point six eight. Excel in an English locale, machine exports and officers who
copy-paste add other habits. The rules, in order (first match wins; signs and a trailing "%"
are taken off first):

1. digits grouped by spaces (incl. no-break and thin spaces), groups of exactly 3, with an
   optional ",decimals":             "1 826 513"  -> 1826513      "1 826 513,5" -> 1826513.5
2. digits grouped by ".", groups of exactly 3, optional ",decimals":
                                     "27.430" -> 27430   "1.826.513" -> 1826513   "1.234,5"
3. one "," as the decimal mark:      "89,68" -> 89.68
4. one "." followed by a group that is NOT exactly 3 digits: a decimal point, as an English
   locale or a machine writes it:    "89.68" -> 89.68   "0.5" -> 0.5
   (so "89.680" is 89680: a "." before exactly three digits is thousands grouping, unless
   the number starts with "0", as in "0.500", which can only be a decimal)
5. plain digits:                     "27430"
Anything else is not a number: "12a", "1,8 triệu", "1,826,513" (several commas), "1e5", "",
"NaN", "inf". A fractional result is only an error where the indicator is a count, which the
caller decides.

Values are limited to |x| <= 2**53 so that every whole number is exact in a double (the
warehouse stores doubles).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ingest.errors import TuphapError

MAX_EXACT = 2**53
_MAX_TEXT = 64  # longer text cannot be a figure a person typed; avoids pathological input

# A leading group never starts with 0: "0.500" is a decimal, not five hundred.
_SPACE_GROUPED = re.compile(r"([1-9]\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+)(?:,(\d+))?")
_DOT_GROUPED = re.compile(r"([1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d+))?")
_COMMA_DECIMAL = re.compile(r"(\d+),(\d+)")
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_DIGITS = re.compile(r"(\d+)")
_NON_DIGIT = re.compile(r"\D")
_NAN_WORDS = frozenset({"nan", "na n", "#num!", "#value!", "#div/0!"})
_INF_WORDS = frozenset({"inf", "infinity", "∞", "infinite"})


@dataclass(frozen=True)
class ParsedNumber:
    """A figure and how it was printed: `decimals` digits after the decimal mark."""

    value: float
    decimals: int
    is_integer: bool
    percent: bool = False  # the text carried a "%" sign (only meaningful for rates)


class NumberError(TuphapError, ValueError):
    """Why a value is not a usable figure; `code` is one of not_a_number, nan, infinite, too_large.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _from_float(x: float, percent: bool = False) -> ParsedNumber:
    if math.isnan(x):
        raise NumberError("nan", "value is NaN")
    if math.isinf(x):
        raise NumberError("infinite", "value is infinite")
    if abs(x) > MAX_EXACT:
        raise NumberError("too_large", f"|{x!r}| exceeds 2**53")
    if x == 0:
        x = 0.0  # no negative zero downstream
    if x.is_integer():
        return ParsedNumber(x, 0, True, percent)
    # The shortest repr is what a person most plausibly typed (84.82, not 84.8199999...).
    exponent = Decimal(repr(x)).as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return ParsedNumber(x, decimals, False, percent)


def _from_parts(negative: bool, int_digits: str, frac_digits: str, percent: bool) -> ParsedNumber:
    try:
        magnitude = Decimal(f"{int_digits}.{frac_digits}" if frac_digits else int_digits)
    except InvalidOperation as exc:  # pragma: no cover - regexes only pass digits
        raise NumberError("not_a_number", "unparseable digits") from exc
    if magnitude > MAX_EXACT:
        raise NumberError("too_large", f"{int_digits} exceeds 2**53")
    value = float(-magnitude if negative else magnitude)
    if value == 0:
        value = 0.0
    decimals = len(frac_digits)
    return ParsedNumber(value, decimals, value.is_integer(), percent)


def _parse_text(raw: str) -> ParsedNumber:
    text = raw.strip()
    if not text:
        raise NumberError("not_a_number", "empty text")
    if len(text) > _MAX_TEXT:
        raise NumberError("not_a_number", "text too long to be a number")
    lowered = text.casefold().lstrip("+-−")
    if lowered in _NAN_WORDS:
        raise NumberError("nan", f"{text!r} is NaN")
    if lowered in _INF_WORDS:
        raise NumberError("infinite", f"{text!r} is infinite")

    percent = False
    if text.endswith("%"):
        percent = True
        text = text[:-1].rstrip()
    negative = False
    if text[:1] in ("-", "+", "−"):
        negative = text[0] != "+"
        text = text[1:].lstrip()
    if not text:
        raise NumberError("not_a_number", "sign without digits")

    for pattern, grouped in (
        (_SPACE_GROUPED, True),
        (_DOT_GROUPED, True),
        (_COMMA_DECIMAL, False),
        (_DOT_DECIMAL, False),
        (_DIGITS, False),
    ):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        int_part = match.group(1)
        frac_part = (match.group(2) if match.lastindex and match.lastindex >= 2 else None) or ""
        if grouped:
            int_part = _NON_DIGIT.sub("", int_part)
        return _from_parts(negative, int_part, frac_part, percent)
    raise NumberError("not_a_number", f"{raw!r} is not a number")


def plain_whole(raw: object) -> float | None:
    """The value of what nearly every figure is, a whole number from 0 to 2**53 given as a
    numeric cell, as plain digits ("27430") or as digits grouped by "." ("27.430"); None for
    anything else.

    A shortcut for the hot loops of the parsers: whenever it answers, parse_number would give
    the same value with 0 decimals and no "%", and the contract's checks (not negative, whole)
    hold, so only the None cases need parse_number and its messages.
    """
    # Exact types: a bool is an int to Python but never a figure; subclasses take the long way.
    if type(raw) is float:
        if raw.is_integer() and 0.0 <= raw <= MAX_EXACT:
            return raw or 0.0  # no negative zero downstream
        return None
    if type(raw) is int:
        return float(raw) if 0 <= raw <= MAX_EXACT else None
    if type(raw) is str:
        text = raw.strip()
        if not text.isascii() or len(text) > _MAX_TEXT:
            return None
        if text.isdigit():  # rule 5
            digits = text
        elif (match := _DOT_GROUPED.fullmatch(text)) and match.group(2) is None:  # rule 2
            digits = text.replace(".", "")
        else:
            return None
        value = int(digits)
        return float(value) if value <= MAX_EXACT else None
    return None


def parse_number(raw: object) -> ParsedNumber:
    """Parse a cell value (int/float from a workbook, or text) into a figure.

    Raises NumberError for anything that is not a finite number within 2**53. Booleans and
    dates are not numbers, even though Python and spreadsheets can treat them as such.
    """
    plain = plain_whole(raw)
    if plain is not None:
        return ParsedNumber(plain, 0, True)
    if isinstance(raw, bool) or raw is None:
        raise NumberError("not_a_number", f"{raw!r} is not a number")
    if isinstance(raw, int):
        if abs(raw) > MAX_EXACT:
            raise NumberError("too_large", "integer exceeds 2**53")
        return ParsedNumber(float(raw), 0, True)
    if isinstance(raw, float):
        return _from_float(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NumberError("nan" if raw.is_nan() else "infinite", "not finite")
        if abs(raw) > MAX_EXACT:
            raise NumberError("too_large", "decimal exceeds 2**53")
        return _parse_text(format(raw, "f").replace(".", ",", 1))
    if isinstance(raw, str):
        return _parse_text(raw)
    raise NumberError("not_a_number", f"{type(raw).__name__} is not a number")

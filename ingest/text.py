"""Text normalisation shared by label, sheet-name and unit-name matching, and message helpers.

Officers type the same words in many ways: with or without diacritics, old or new tone-mark
placement ("Hoà"/"Hòa"), decomposed (NFD) text from some Mac and web tools, trailing colons,
doubled spaces. Matching on one canonical key keeps every matcher in the package consistent.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from itertools import filterfalse

from ingest.errors import TuphapError
from ingest.vn_format import format_number

# Anything that is neither a word character nor whitespace, plus "_" (a word character to `re`
# but a separator in form codes such as THADS_VIEC), becomes a space before collapsing.
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
# Control characters (except tab/newline, handled as whitespace) never belong in a message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# normalise_key runs on every label, sheet name and sub-unit cell, and the same short texts
# ("Tổng cộng", district names) come back in every report: their keys are cached. Only short
# texts, and a bounded number of them, so hostile cells cannot make the cache grow.
_KEY_CACHE_SIZE = 8192
_KEY_CACHE_MAX_CHARS = 200


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks; "đ" has no decomposition, so it is mapped."""
    if text.isascii():  # nothing to decompose, no "đ": by far the most common case
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(filterfalse(unicodedata.combining, decomposed))
    return stripped.replace("đ", "d").replace("Đ", "D")


def collapse_spaces(text: str) -> str:
    """NFC-normalise and collapse every run of whitespace (incl. no-break spaces) to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_key(text: object) -> str:
    """Canonical comparison key: NFC, casefold, no diacritics, punctuation to spaces, collapsed.

    "Ngày lập báo cáo:" and "ngay lap bao cao" give the same key; so do "Hoà Bình" and
    "Hòa Bình", and "TP. Hà Nội" and "tp ha noi". Not for display: it loses information.
    """
    if text is None:
        return ""
    as_text = str(text)
    return _cached_key(as_text) if len(as_text) <= _KEY_CACHE_MAX_CHARS else _key(as_text)


def _key(text: str) -> str:
    """normalise_key of a str, uncached."""
    folded = unicodedata.normalize("NFC", text).casefold()
    plain = strip_diacritics(folded)
    return " ".join(_PUNCT.sub(" ", plain).split())


_cached_key = lru_cache(maxsize=_KEY_CACHE_SIZE)(_key)


def echo(value: object, limit: int = 60) -> str:
    """Render a cell value for a message: one line, no control characters, at most `limit` chars.

    Values come from untrusted files and end up in alerts and web pages; keeping them short and
    single-line stops a cell from forging extra message lines.
    """
    if isinstance(value, datetime):
        text = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, float) and not math.isfinite(value):
        text = str(value)  # nan, inf: no digits to group
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = format_number(value, None)  # every digit the cell holds, the Vietnamese way
    else:
        text = str(value)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def is_blank(value: object) -> bool:
    """True for an empty cell: None, or text that is only whitespace (incl. no-break spaces)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


class Problem(TuphapError):
    """A reason to reject a whole file, raised deep in a reader and caught once in ingest.parse.

    `where` locates it for the officer ("biểu THADS_VIEC, ô H12", "dòng 7"; empty for the
    whole file) and `what` says what is wrong, in Vietnamese; ingest.parse adds the file name.
    `detail` is an optional English note for the data team's log.
    """

    def __init__(self, code: str, what: str, where: str = "", *, year: int | None = None,
                 unit_code: str | None = None, detail: str | None = None) -> None:
        super().__init__(f"{code}: {where}: {what}" if where else f"{code}: {what}")
        self.code = code
        self.what = what
        self.where = where
        self.year = year
        self.unit_code = unit_code
        self.detail = detail

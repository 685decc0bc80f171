"""Vietnamese text in Windows-1258, as Excel in a Vietnamese locale saves CSV."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # the marks cp1258 encodes apart


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258, as Excel in a Vietnamese locale saves CSV.

    cp1258 has the letters with circumflex, breve and horn (â, ă, ơ …) precomposed but the five
    tone marks only as combining characters, so "ộ" must become "ô" + U+0323. Plain NFD is not
    enough ("ô" itself would decompose into o + U+0302, which cp1258 lacks). Raises ValueError
    if the text would not read back as the same (NFC) text.
    """
    # Work per token: a CSV repeats the same few names thousands of times.
    data = b"".join(_cp1258_token(token) for token in re.split(r"([\s;,])", text))
    if unicodedata.normalize("NFC", data.decode("cp1258")) != unicodedata.normalize("NFC", text):
        raise ValueError(f"text does not round-trip through cp1258: {text[:80]!r}")
    return data


@lru_cache(maxsize=4096)
def _cp1258_token(token: str) -> bytes:
    if token.isascii():
        return token.encode("ascii")
    out: list[str] = []
    for cluster in _clusters(unicodedata.normalize("NFD", token)):
        base, marks = cluster[0], cluster[1:]
        core = unicodedata.normalize("NFC", base + "".join(m for m in marks
                                                           if m not in _TONE_MARKS))
        candidate = core + "".join(m for m in marks if m in _TONE_MARKS)
        try:
            candidate.encode("cp1258")
        except UnicodeEncodeError:
            candidate = unicodedata.normalize("NFC", cluster)  # e.g. a precomposed "à"
        out.append(candidate)
    return "".join(out).encode("cp1258")  # UnicodeEncodeError: not Vietnamese text


def _clusters(nfd: str) -> list[str]:
    clusters: list[str] = []
    for ch in nfd:
        if clusters and unicodedata.combining(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters

"""Messages of the warehouse (quality issues, rejections) in the words of the report's body.

The messages are Vietnamese already, written for the officer who must fix a file: they name the
file, the form by its code ("biểu THADS_VIEC") and compare with symbols ("4.956 việc > 4.919
việc"). The body of the yearly report is read by officials who need the point, not the file:
there the form is named in words, symbols become words, and the file name and the advice to
the sender are left to the technical annex, which keeps the message whole.
"""

from __future__ import annotations

import re

from ingest.forms import FORM_INDICATORS
from orchestration.quality.messages import INDICATOR_LABELS

FORM_WORDS = {
    "PBGDPL": "phổ biến, giáo dục pháp luật",
    "HOAGIAI": "hòa giải ở cơ sở",
    "THADS_VIEC": "thi hành án dân sự tính bằng việc",
    "THADS_TIEN": "thi hành án dân sự tính bằng tiền",
}
_SYMBOLS = ((" > ", " lớn hơn "), (" < ", " nhỏ hơn "), (" ≠ ", " khác "), (" → ", " thành "),
            (" ≤ ", " không lớn hơn "), (" ≥ ", " không nhỏ hơn "), (" = ", " bằng "))
_FILE_PREFIX = re.compile(r'^Tệp\s+"[^"]*"\s*[,:]\s*')
_FORM_CODE = re.compile(r"\b(" + "|".join(sorted(FORM_WORDS, key=len, reverse=True)) + r")\b")
# Indicators by their CSV codes ("sessions", "carried_forward") outside quotes: in words.
_INDICATORS = sorted({i for found in FORM_INDICATORS.values() for i in found
                      if i in INDICATOR_LABELS}, key=len, reverse=True)
_INDICATOR_CODE = re.compile(r"(?<![\w\"“])(" + "|".join(_INDICATORS) + r")(?![\w\"”])")
_UNIT_CODE_ASIDE = re.compile(r"\s*\((STP|THADS)-\d{2}\)")


def form_words(form: str | None) -> str:
    return FORM_WORDS.get(form or "", form or "")


def plain(message: str) -> str:
    """A warehouse message for the report's body: no file name, forms in words, no symbols."""
    text = _FILE_PREFIX.sub("", message.strip())
    # What the unit wrote, quoted in the message ("12a", a header read), is left as it was.
    parts = re.split(r'("[^"]*")', text)
    text = "".join(part if part.startswith('"') else _words(part) for part in parts)
    return text[:1].upper() + text[1:]


def _words(text: str) -> str:
    text = _FORM_CODE.sub(lambda m: FORM_WORDS[m.group(1)], text)
    text = _UNIT_CODE_ASIDE.sub("", text)  # "(STP-10)" beside the unit's name
    text = _INDICATOR_CODE.sub(lambda m: f"“{INDICATOR_LABELS[m.group(1)]}”", text)
    for symbol, words in _SYMBOLS:
        text = text.replace(symbol, words)
    return re.sub(r"\bTHADS\b(?![-_])", "Thi hành án dân sự", text)


def first_clause(message: str) -> str:
    """The finding of a rejection without the advice that follows it ("; hãy ghi ..."), in
    plain words."""
    return plain(message).split("; ")[0].rstrip(".") + "."

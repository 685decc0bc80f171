"""Text written into spreadsheets and CSV files is never executed by the program that opens it.

Sub-unit names, unit names and figures typed as text come from untrusted files and can flow
back out into files people open (sample reports, exports, templates). A spreadsheet program
treats a cell whose text starts with "=", "+", "-" or "@" (and, in some programs, a tab or a
carriage return) as a formula: "=HYPERLINK(…)" becomes a link, "+cmd|' /C calc'!A0" a DDE call.
OWASP's advice for CSV injection is to prefix such text with a single quote, which makes the
program show it as text. A number written as text ("-3", "-1.234,5") is data, not a formula,
and is left alone so that a negative figure still reads as one.

In an .xlsx the same protection is a string cell with Excel's quote-prefix flag: the cell keeps
its exact text (no visible apostrophe in the data) and Excel will not turn it into a formula,
even when someone edits it. `formula_like` tells the writer when to set it.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# A number as people or machines write it: optional sign, digits with "." / "," / space
# grouping and decimals, optional "%". Such text is a figure, never a formula.
_NUMBER = re.compile(r"[+\-\u2212]?\s*\d[\d.,\u00a0\u202f ]*\s*%?")


def looks_like_number(text: str) -> bool:
    """"-3", "+5", "-1.234,5", "89,68%" -> True; "-2+3+cmd|' /C calc'!A0" -> False."""
    return bool(_NUMBER.fullmatch(text.strip()))


def formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or a DDE call)?"""
    return text.startswith(FORMULA_TRIGGERS) and not looks_like_number(text)


def neutralise_cell(text: str) -> str:
    """The text to write into a CSV field (or any plain-text cell) so it is shown, not run.

    Formula-like text gets a leading apostrophe, as OWASP recommends for CSV injection; every
    other text, including negative numbers written as text, comes back unchanged. Idempotent:
    neutralising twice adds one apostrophe, not two, because "'…" is no longer formula-like.
    """
    return QUOTE + text if formula_like(text) else text


__all__ = ["FORMULA_TRIGGERS", "formula_like", "looks_like_number", "neutralise_cell"]

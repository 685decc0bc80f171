"""Dates in the files the data team keeps (the contacts register, the reporting calendar):
`dd/mm/yyyy` as people write them in Vietnam, or ISO `yyyy-mm-dd`."""

from __future__ import annotations

import re
from datetime import date

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day(text: str) -> date:
    """"15/12/2024" or "2024-12-15" -> date(2024, 12, 15); ValueError for anything else."""
    text = text.strip()
    if m := _DMY.fullmatch(text):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _ISO.fullmatch(text):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"{text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")

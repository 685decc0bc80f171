"""The reporting calendar: which reports are due when, and on which days a unit that has not
sent them is reminded (unit-correspondence.md, "The reporting calendar").

Due dates are data the data team keeps (TUPHAP_CALENDAR, CSV `year,unit_type,due_date`); a year
the file does not name falls back to the project's defaults (not a legal source): an STP's
report of year N is due 15/12/N, a THADS's (its year ends 30/9/N) 15/10/N.

Reminder days, for a unit with forms missing: 7 days before the due date, the day after it,
then every 7 days. Weekly reminders stop REMINDER_WEEKS after the due date: by then the next
year's cycle has begun, and a unit that has not reported in half a year is the data team's to
call, not a mailbox's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ingest.dates import parse_day
from ingest.forms import UNIT_TYPE_FORMS

COLUMNS = ("year", "unit_type", "due_date")
DEFAULT_DUE = {"STP": (12, 15), "THADS": (10, 15)}  # (month, day) of year N
DAYS_BEFORE = 7
REMINDER_WEEKS = 26


@dataclass(frozen=True)
class Calendar:
    """Due dates the data team set, by (year, unit type); every other year takes the default."""

    overrides: Mapping[tuple[int, str], date] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def due_date(self, year: int, unit_type: str) -> date:
        if (year, unit_type) in self.overrides:
            return self.overrides[(year, unit_type)]
        month, day = DEFAULT_DUE[unit_type]
        return date(year, month, day)

    def rows(self) -> list[tuple[int, str, date]]:
        """The data team's due dates as the warehouse keeps them (raw.reporting_calendar)."""
        return [(year, unit_type, due) for (year, unit_type), due in sorted(self.overrides.items())]


def parse_calendar(text: str) -> Calendar:
    """The calendar's due dates; a row that cannot be read is a problem (its line and why) and
    leaves that year to the default."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in reader.fieldnames or ()]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return Calendar({}, (f"line 1: the header lacks the column(s) {', '.join(missing)}",))
    reader.fieldnames = header
    overrides: dict[tuple[int, str], date] = {}
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        year_text = (row.get("year") or "").strip()
        unit_type = (row.get("unit_type") or "").strip().upper()
        if not (year_text or unit_type or (row.get("due_date") or "").strip()):
            continue
        if not year_text.isdigit():
            problems.append(f"line {number}: year {year_text!r} is not a year")
            continue
        if unit_type not in UNIT_TYPE_FORMS:
            problems.append(f"line {number}: unit_type {unit_type!r} is not STP or THADS")
            continue
        try:
            due = parse_day(row.get("due_date") or "")
        except ValueError as error:
            problems.append(f"line {number}: due_date: {error}")
            continue
        if (int(year_text), unit_type) in overrides:
            problems.append(f"line {number}: {year_text} {unit_type} is given twice")
            continue
        overrides[(int(year_text), unit_type)] = due
    return Calendar(overrides, tuple(problems))


def reminder_day(due: date, today: date) -> date | None:
    """The reminder a unit missing a report due on `due` should have had by `today`: the
    latest reminder day on or before today, or None (too early, or past the last weekly
    reminder). A tick that missed a day still sends that day's reminder, once."""
    before = due - timedelta(days=DAYS_BEFORE)
    if today < before:
        return None
    if today <= due:
        return before
    weeks = (today - due - timedelta(days=1)).days // 7
    if weeks > REMINDER_WEEKS:
        return None
    return due + timedelta(days=1 + 7 * weeks)


def read_calendar(path: Path | None) -> Calendar:
    """The calendar file at `path` (None: no calendar, every year takes the defaults)."""
    if path is None:
        return Calendar()
    try:
        return parse_calendar(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        return Calendar({}, (f"{path.name}: cannot be read ({type(error).__name__}); every year"
                             " takes the default due dates",))

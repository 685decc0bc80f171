"""The reporting calendar: the data team's due dates, the defaults, and the reminder days."""

from __future__ import annotations

from datetime import date, timedelta

from ingest.calendar import parse_calendar, reminder_day


def test_the_data_teams_dates_override_the_defaults() -> None:
    calendar = parse_calendar("year,unit_type,due_date\n2026,STP,20/12/2026\n"
                              "2026,thads,2026-10-20\n")
    assert calendar.problems == ()
    assert calendar.due_date(2026, "STP") == date(2026, 12, 20)
    assert calendar.due_date(2026, "THADS") == date(2026, 10, 20)
    assert calendar.due_date(2025, "STP") == date(2025, 12, 15)
    assert calendar.due_date(2025, "THADS") == date(2025, 10, 15)


def test_a_bad_row_is_named_and_leaves_the_default() -> None:
    calendar = parse_calendar("year,unit_type,due_date\nhai,STP,20/12/2026\n2026,UBND,"
                              "20/12/2026\n2026,STP,32/12/2026\n2026,THADS,15/10/2026\n"
                              "2026,THADS,16/10/2026\n")
    assert [p.split(":")[0] for p in calendar.problems] == [
        "line 2", "line 3", "line 4", "line 6"]
    assert calendar.due_date(2026, "STP") == date(2026, 12, 15)


def test_reminders_fall_7_days_before_the_day_after_then_weekly() -> None:
    due = date(2026, 12, 15)
    days = {reminder_day(due, due + timedelta(days=n)) for n in range(-20, 40)}
    assert days == {None, date(2026, 12, 8), date(2026, 12, 16), date(2026, 12, 23),
                    date(2026, 12, 30), date(2027, 1, 6), date(2027, 1, 13),
                    date(2027, 1, 20)}
    assert reminder_day(due, date(2026, 12, 7)) is None
    assert reminder_day(due, date(2026, 12, 15)) == date(2026, 12, 8)
    assert reminder_day(due, date(2026, 12, 22)) == date(2026, 12, 16)
    assert reminder_day(due, due + timedelta(days=400)) is None

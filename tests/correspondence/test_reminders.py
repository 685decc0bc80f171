"""Reminders on the days the calendar says (time injected with --as-of, never slept): units
with forms missing get their blank template; open errors are reminded every 7 days, the
unit's head copied after the third reminder; nothing twice."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import duckdb
import openpyxl
import pytest

from tests.correspondence.conftest import Correspondence, officers
from tests.e2e.conftest import tuphap

pytestmark = pytest.mark.xdist_group("tuphap_correspondence")


def remind(sample: Correspondence, as_of: datetime | str, *flags: str) -> tuple[list, str]:
    before = len(sample.smtp.mails)
    moment = as_of if isinstance(as_of, str) else as_of.isoformat()
    done = tuphap(["remind", "--as-of", moment, *flags], sample.env)
    assert done.returncode == 0, done.stdout + done.stderr
    return sample.smtp.mails[before:], done.stdout


def test_rpt_submissions_takes_the_calendars_due_dates(sample_with_mail: Correspondence
                                                       ) -> None:
    with duckdb.connect(str(sample_with_mail.warehouse), read_only=True) as con:
        rows = con.execute(
            "select year, form, due_date, due_date_from_calendar, status, count(*)"
            " from main.rpt_submissions where year in (2025, 2026) and form like 'THADS%'"
            " group by all order by all").fetchall()
        late = con.execute(
            "select corrections, on_time, days_late, cast(first_received_at at time zone"
            " 'Asia/Ho_Chi_Minh' as date) - due_date from main.rpt_submissions"
            " where unit_code = 'THADS-14' and year = 2024 and form = 'THADS_VIEC'").fetchone()
    assert late is not None
    corrections, on_time, days_late, days = late
    assert (corrections, on_time, days_late) == (1, False, days) and days > 365  # the sample
    assert [(r[0], r[1], f"{r[2]:%d/%m/%Y}", r[3], r[4], r[5]) for r in rows] == [
        (2025, "THADS_TIEN", "15/10/2025", False, "received", 7),
        (2025, "THADS_VIEC", "15/10/2025", False, "received", 7),
        (2026, "THADS_TIEN", "15/12/2026", True, "missing", 7),
        (2026, "THADS_VIEC", "15/12/2026", True, "missing", 7),
    ]


def test_missing_forms_are_reminded_7_days_before_with_the_blank_template(
        sample_with_mail: Correspondence) -> None:
    sample_with_mail.smtp.handler.refuse.clear()  # when run alone: the address is back
    listed, out = remind(sample_with_mail, "2026-12-08T09:00+07:00", "--dry-run")
    assert listed == [] and "14 reminder(s) due (dry run: nothing sent)" in out
    mails, out = remind(sample_with_mail, "2026-12-08T09:00+07:00")
    mails = [m for m in mails if "Nhắc nộp" in m.subject]  # errors may be reminded too
    people = officers()
    assert len(mails) == 14, out
    for mail in mails:
        (unit,) = {people[a] for a in mail.rcpt_to}
        assert "Nhắc nộp báo cáo năm 2026" in mail.subject and "(hạn 15/12/2026)" in mail.subject
        assert "còn 7 ngày" in mail.body
        forms = re.findall(r"^- (\w+) \(", mail.body, re.MULTILINE)
        assert sorted(forms) == (["HOAGIAI", "PBGDPL"] if unit.startswith("STP")
                                 else ["THADS_TIEN", "THADS_VIEC"])
        (attachment,) = mail.message.iter_attachments()
        assert attachment.get_filename() == f"bieu_mau_{unit}_2026.xlsx"
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
        assert set(forms) <= set(workbook.sheetnames)
    again, _ = remind(sample_with_mail, "2026-12-08T17:00+07:00")
    assert again == []  # the same reminder never twice (in a day, or ever)
    after, _ = remind(sample_with_mail, "2026-12-16T09:00+07:00")
    after = [m for m in after if "Nhắc nộp" in m.subject]
    assert len(after) == 14 and all("đã quá hạn 1 ngày" in m.body for m in after)


def test_open_errors_are_reminded_weekly_and_the_head_copied_after_the_third(
        sample_with_mail: Correspondence) -> None:
    with duckdb.connect(str(sample_with_mail.warehouse), read_only=True) as con:
        errors = {unit: n for unit, n in con.execute(
            "select unit_code, count(*) from main.dq_issues where status = 'open'"
            " and severity = 'error' and rule_id not in ('TGT-01', 'GEN-04', 'GEN-01')"
            " group by unit_code").fetchall()}
    people = officers()
    # Where the earlier tests left the units: when they were last told, how many reminders.
    private = sample_with_mail.warehouse.parent / ".private" / "tuphap.private.duckdb"
    with duckdb.connect(str(private), read_only=True) as con:
        last, done = con.execute(
            "select max(told_at), coalesce(max(n), 0) from (select told_at, (select count(*)"
            " from tuphap_private.told r where starts_with(r.item, 'issue-reminder:'"
            " || split_part(t.item, ':', 2) || ':')) as n from tuphap_private.told t"
            " where t.item like 'issue%')").fetchone()
    assert last is not None and done < 4  # the rounds below reach the fourth
    quiet, _ = remind(sample_with_mail, last + timedelta(days=3))
    assert [m for m in quiet if "lỗi số liệu" in m.subject] == []  # not yet 7 days
    for n in range(done + 1, 5):
        mails, _ = remind(sample_with_mail, last + timedelta(days=8 * (n - done)))
        mails = [m for m in mails if "lỗi số liệu" in m.subject]
        assert {people[m.rcpt_to[0]] for m in mails} == set(errors)
        for mail in mails:
            unit = people[mail.rcpt_to[0]]
            assert f"Nhắc lần {n}:" in mail.subject
            assert len(re.findall(r"\[#[0-9a-f]{12}\]", mail.body)) == errors[unit]
            roles = {a.split(".")[0] for a in mail.rcpt_to}
            assert roles == ({"canbo", "lanhdao"} if n > 3 else {"canbo"})
            assert (mail.message["Cc"] is not None) == (n > 3)
            assert ("gửi đồng thời tới lãnh đạo đơn vị" in mail.body) == (n > 3)

"""Units e-mail reports and answers, and the data team decides: a real IMAP server (pymap), a
real SMTP server (aiosmtpd), the sample register, real `tuphap` loads.

The story: the 2024 reports are loaded from the folder, but for Lạng Sơn's STP, whose officer
then mails it; a stranger and an officer of another unit mail the same file; a unit replies
to its receipt explaining one of its issues. The next load takes each message once: the mailed
report is received at the message's arrival and receipted on its thread, the others are held
and answered by nobody, the issue is explained. The data team reopens it: the unit is told."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.correspondence.conftest import environment, officers
from tests.correspondence.smtp_server import SmtpServer
from tests.e2e.conftest import tuphap
from tests.mailbox.conftest import unit_mail
from tests.mailbox.imap_server import ImapServer
from tests.quality.smtp_sink import ReceivedMail

pytestmark = pytest.mark.xdist_group("mailbox_story")
ARRIVED = datetime(2024, 12, 10, 2, 30, tzinfo=UTC)  # 09:30 on 10/12/2024 in Vietnam
MAILED = "2024_STP-20_Lang-Son.xlsx"
OFFICER = "canbo.stp20@langson.tuphap.example"
OTHER_OFFICER = "canbo.thads11@dienbien.tuphap.example"
STRANGER = "ai-do@nguoi-la.example"
VIETNAMESE_NAME = "Báo cáo PBGDPL Lạng Sơn năm 2024.xlsx"
DATA_TEAM = "du-lieu@tuphap.example"  # the loads' alerts (the roll-up) by e-mail


@dataclass
class Story:
    env: dict[str, str]
    imap: ImapServer
    smtp: SmtpServer
    second: subprocess.CompletedProcess
    mails: list[ReceivedMail]  # what the second load sent
    flags_before: dict
    explained: str  # the fingerprint the unit explained
    unit: str  # its unit
    reply_id: str
    report_id: str

    @property
    def warehouse(self) -> str:
        return self.env["TUPHAP_WAREHOUSE"]


def issues(warehouse: str) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute("select fingerprint, unit_code, status, explanation,"
                           " explained_by_unit_at from main.dq_issues"
                           " where rule_id not in ('TGT-01', 'GEN-04', 'GEN-01')"
                           " order by fingerprint").fetchall()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    base = tmp_path_factory.mktemp("mailbox")
    with SmtpServer() as smtp, ImapServer() as imap:
        env = {**environment(base, smtp), **imap.environment(),
               "TUPHAP_IMAP_ADDRESS": "baocao@tuphap.example", "TUPHAP_ALERT_EMAIL_TO": DATA_TEAM}
        sample = base / "sample"
        assert tuphap(["sample", "--out", str(sample)], env).returncode == 0
        (base / "inbox").mkdir()
        for path in [*sample.glob("2024_*"), *sample.glob("LOI_2024_*")]:
            if path.name != MAILED:
                shutil.copy(path, base / "inbox" / path.name)
        first = tuphap(["load", "--years", "2024"], env)
        assert first.returncode == 0, first.stdout + first.stderr
        receipts = {a: m for m in smtp.mails for a in m.rcpt_to}
        people = officers()
        fingerprint, unit = next((fp, u) for fp, u, status, *_ in issues(env[
            "TUPHAP_WAREHOUSE"]) if status == "open" and any(
                people.get(a) == u for a in receipts))
        officer = next(a for a, u in people.items() if u == unit and a in receipts
                       and a.startswith("canbo"))
        report = (sample / MAILED).read_bytes()
        sent = unit_mail(OFFICER, "Báo cáo năm 2024", "Kính gửi, đơn vị gửi báo cáo.",
                         ((VIETNAMESE_NAME, report),))
        reply = unit_mail(
            officer, "Re: " + receipts[officer].subject,
            f"[#{fingerprint[:12]}] Số liệu đúng: có việc ủy thác.\n\n"
            "Vào ngày 10/12/2024, Kho dữ liệu tư pháp đã viết:\n> "
            + receipts[officer].body.replace("\n", "\n> "),
            in_reply_to=receipts[officer].message["Message-ID"])
        imap.append(sent.as_bytes(), when=ARRIVED, flags=(b"\\Flagged",))
        imap.append(unit_mail(STRANGER, "Báo cáo", "x", (("bc.xlsx", report),)).as_bytes(),
                    when=ARRIVED)
        imap.append(unit_mail(OTHER_OFFICER, "Báo cáo hộ", "y", (("bc.xlsx", report),))
                    .as_bytes(), when=ARRIVED)
        imap.append(reply.as_bytes(), when=ARRIVED)
        before, already = imap.flags(), len(smtp.mails)
        second = tuphap(["load", "--years", "2024"], env)
        assert second.returncode == 0, second.stdout + second.stderr
        yield Story(env, imap, smtp, second, smtp.mails[already:], before, fingerprint, unit,
                    str(reply["Message-ID"]), str(sent["Message-ID"]))


def test_the_mailbox_is_left_as_it_was(story: Story) -> None:
    assert story.imap.flags() == story.flags_before


def test_the_mailed_report_is_received_when_its_message_arrived(story: Story) -> None:
    with duckdb.connect(story.warehouse, read_only=True) as con:
        rows = con.execute("select source_file, received_at from raw.received_files"
                           " where source_file like 'e-mail/%'").fetchall()
        first = con.execute("select first_received_at from main.rpt_submissions where"
                            " unit_code = 'STP-20' and year = 2024").fetchall()
    assert [(Path(name).name, when) for name, when in rows] == [(VIETNAMESE_NAME, ARRIVED)]
    assert {row[0] for row in first} == {ARRIVED}


def test_the_receipt_replies_on_the_senders_thread(story: Story) -> None:
    people = officers()
    (receipt,) = [m for m in story.mails if OFFICER in m.rcpt_to]
    assert receipt.message["In-Reply-To"] == story.report_id
    assert story.report_id in receipt.message["References"]
    assert receipt.message["Auto-Submitted"] == "auto-replied"
    assert receipt.message["Reply-To"] == "baocao@tuphap.example"  # answers reach the pull
    assert {people[a] for a in receipt.rcpt_to} == {"STP-20"}
    assert "ĐÃ TIẾP NHẬN" in receipt.body
    # the file as the officer attached it, not where the pull put it in the inbox
    assert f"Tệp {VIETNAMESE_NAME} (đính kèm thư nhận lúc 09:30 ngày 10/12/2024)" in (
        receipt.body)
    assert "e-mail/" not in receipt.body


def test_held_mail_is_answered_by_nobody(story: Story) -> None:
    told = {a for m in story.mails for a in m.rcpt_to}
    assert STRANGER not in told and OTHER_OFFICER not in told
    listed = tuphap(["held", "list"], story.env)
    assert listed.returncode == 0, listed.stderr
    assert "the sender is not an officer in the contacts register" in listed.stdout
    assert "is a report of STP-20, sent by an officer of THADS-11" in listed.stdout
    assert STRANGER not in listed.stdout and OTHER_OFFICER not in listed.stdout  # masked


def test_the_reply_explains_exactly_its_issue(story: Story) -> None:
    found = {fp: (status, text, at) for fp, _, status, text, at in issues(story.warehouse)}
    status, text, at = found.pop(story.explained)
    assert (status, text, at) == ("explained", "[#" + story.explained[:12]
                                  + "] Số liệu đúng: có việc ủy thác.", ARRIVED)
    assert {s for s, _, _ in found.values()} <= {"open", "acknowledged", "resolved"}
    (answer,) = [m for m in story.mails if m.message["In-Reply-To"] == story.reply_id]
    assert answer.subject.startswith("[tuphap] Đã ghi nhận giải trình của ")
    listed = tuphap(["issues", "--status", "explained"], story.env)
    assert story.explained[:12] in listed.stdout and "có việc ủy thác" in listed.stdout


def test_the_data_teams_roll_up_lists_the_explanation_once(story: Story) -> None:
    (roll_up,) = [m for m in story.mails if DATA_TEAM in m.rcpt_to]
    assert "giải trình mới của đơn vị" in roll_up.subject
    assert roll_up.body.count(story.explained[:12]) == 1
    assert f"“Số liệu đúng: có việc ủy thác.” (mã {story.explained[:12]})" in roll_up.body
    assert f"({story.unit}):" in roll_up.body


def test_reopen_tells_the_unit_and_the_issue_stays_open(story: Story) -> None:
    already = len(story.smtp.mails)
    done = tuphap(["reopen", story.explained[:12], "--note",
                   "Đề nghị gửi kèm danh sách việc ủy thác."], story.env)
    assert done.returncode == 0, done.stdout + done.stderr
    (told,) = story.smtp.mails[already:]
    assert told.message["In-Reply-To"] == story.reply_id
    assert "Đề nghị gửi kèm danh sách việc ủy thác." in told.body
    assert {officers()[a] for a in told.rcpt_to} == {story.unit}
    again = tuphap(["load", "--years", "2024"], story.env)
    assert again.returncode == 0, again.stdout + again.stderr
    # the explanation was rolled up once: the next load's alert does not list it again
    assert not any(story.explained[:12] in m.body for m in story.smtp.mails[already + 1:]
                   if DATA_TEAM in m.rcpt_to)
    status = {fp: s for fp, _, s, *_ in issues(story.warehouse)}[story.explained]
    assert status == "open"  # the same explanation is not applied again

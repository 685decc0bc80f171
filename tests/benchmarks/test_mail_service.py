"""The pure parts of (f) for a mailed report: who mails it, the message as the pull reads it
(ingest/mail), and how a threaded receipt is recognised."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

from benchmarks.mail_service import REGISTER, officer_of, receipted, report_message
from ingest.mail import parse_message

NAME = "Báo cáo đính chính lần 1 - 2024_STP-20_Lang-Son.xlsx"


def test_the_report_is_mailed_by_its_units_officer_under_its_vietnamese_name(
        tmp_path: Path) -> None:
    register = REGISTER.read_text(encoding="utf-8")
    assert officer_of(register, "STP-02", date(2024, 12, 1)) == (
        "canbo.stp02@hagiang.tuphap.example")
    # Hà Giang's STP merged into Tuyên Quang's in 2025: its officer answers for it since.
    assert officer_of(register, "STP-02", date(2026, 12, 1)) == officer_of(
        register, "STP-08", date(2026, 12, 1))
    sender = officer_of(register, "STP-20", date(2026, 12, 1))
    assert sender == "canbo.stp20@langson.tuphap.example"
    report = tmp_path / "2024_STP-20_Lang-Son.xlsx"
    report.write_bytes(b"PK\x03\x04 the workbook's bytes")
    raw = report_message(report, sender, NAME).as_bytes()
    assert NAME.encode() not in raw  # encoded, as mail programs send it
    inbound = parse_message(raw)
    assert inbound.sender == sender
    assert [(a.name, a.data) for a in inbound.attachments] == [(NAME, report.read_bytes())]


def test_a_receipt_is_one_that_replies_to_the_message() -> None:
    def mail(in_reply_to: str | None) -> bytes:
        msg = EmailMessage()
        msg["Subject"] = "[tuphap] Đã tiếp nhận"
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
        msg.set_content("x")
        return msg.as_bytes()

    assert receipted([mail(None), mail("<a@langson.tuphap.example>")],
                     "<a@langson.tuphap.example>")
    assert not receipted([mail(None), mail("<b@langson.tuphap.example>")],
                         "<a@langson.tuphap.example>")
    assert not receipted([], "<a@langson.tuphap.example>")

"""What officers read: the texts of receipts and reminders, from plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from orchestration.correspondence import compose
from orchestration.correspondence.compose import FileNote, IssueNote

AT = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
ISSUE = IssueNote("c33452cd5ba7e1f0", "ENF-05", "error", "THADS_VIEC", 2024,
                  "Cục THADS tỉnh Sơn La, năm 2024: giải quyết xong 4.956 việc > có điều kiện"
                  " 4.919 việc")


def test_a_rejected_file_says_why_and_what_to_do() -> None:
    rejected = FileNote("bao_cao.xlsx", AT, "rejected", "Sở Tư pháp tỉnh Lai Châu", 2024,
                        reason="biểu PBGDPL, ô C9: giá trị \"abc\" không phải là số")
    subject = compose.receipt_subject("Sở Tư pháp tỉnh Lai Châu", [rejected], [])
    body = compose.receipt_body("Sở Tư pháp tỉnh Lai Châu", [rejected], [], AT)
    assert subject == ("[tuphap] Báo cáo năm 2024 của Sở Tư pháp tỉnh Lai Châu bị từ chối: cần"
                       " gửi lại")
    assert "nhận lúc 08:30 ngày 07/12/2026" in body  # Vietnam's time
    assert "BỊ TỪ CHỐI" in body and "ô C9" in body and "gửi lại cả tệp" in body


def test_issues_carry_their_token_and_what_to_check() -> None:
    subject = compose.receipt_subject("Cục THADS tỉnh Sơn La", [], [ISSUE])
    body = compose.receipt_body("Cục THADS tỉnh Sơn La", [], [ISSUE], AT)
    assert subject == ("[tuphap] 1 vấn đề về số liệu báo cáo năm 2024 của Cục THADS tỉnh Sơn La"
                       " cần kiểm tra")
    assert "[#c33452cd5ba7]" in body and "đối chiếu các chỉ tiêu thi hành án" in body
    assert "1 lỗi, 0 cảnh báo" in body


def test_a_correction_lists_the_changed_figures_the_vietnamese_way() -> None:
    assert (compose.change_text("THADS_TIEN", "resolved", "", 1234567.0, 1234.5)
            == "biểu THADS_TIEN, giải quyết xong: 1.234.567 → 1.234,5")


def test_a_deadline_reminder_names_the_forms_and_the_rejected_ones() -> None:
    subject, body = compose.deadline_reminder(
        "Sở Tư pháp tỉnh Lai Châu", 2026, date(2026, 12, 15), ["HOAGIAI", "PBGDPL"],
        date(2026, 12, 16), "bieu_mau_STP-12_2026.xlsx", rejected={"PBGDPL"})
    assert subject == ("[tuphap] Nhắc nộp báo cáo năm 2026 của Sở Tư pháp tỉnh Lai Châu"
                       " (hạn 15/12/2026)")
    assert "đã quá hạn 1 ngày" in body
    assert "- HOAGIAI (hòa giải cơ sở)\n" in body
    assert "- PBGDPL (phổ biến, giáo dục pháp luật): tệp đã gửi bị từ chối" in body
    assert "bieu_mau_STP-12_2026.xlsx" in body

"""What a unit's officers read, in Vietnamese: receipts with the unit's new issues, reminders
of open errors, deadline reminders. Pure functions over plain data: the tests read the texts.

Every text names only the unit it goes to, says what happened and what to do next, prints
numbers and dates the Vietnamese way, and carries each issue's token `[#…]` (the first 12
characters of its fingerprint: `tuphap ack`, `tuphap issues` and a reply accept it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ingest.vn_format import format_number
from orchestration.ingest.arrivals import mailed, shown_name
from orchestration.quality.messages import FORM_TITLES, INDICATOR_LABELS

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TOKEN_LENGTH = 12
SIGNATURE = ("--\nKho dữ liệu tư pháp (thư gửi tự động). Thư chỉ nói về báo cáo của đơn vị"
             " nhận thư.\nCần hỗ trợ: trả lời thư này, bộ phận dữ liệu sẽ liên hệ.")
SEVERITY = {"error": "LỖI", "warn": "CẢNH BÁO"}
# What the officer checks, by rule (quality-rules.md); the issue's message gives the figures.
HINTS = {
    "ENF": "đối chiếu các chỉ tiêu thi hành án trong biểu với sổ thụ lý",
    "MED": "đối chiếu số vụ, việc hòa giải với sổ theo dõi của các tổ hòa giải",
    "DIS": "kiểm tra số cuộc và số lượt người tham dự (có thể gõ nhầm chữ số)",
    "GEN-01": "gửi báo cáo còn thiếu theo biểu mẫu của năm",
    "GEN-02": "kiểm tra dòng tổng cộng: phải bằng tổng các dòng đơn vị trực thuộc",
    "GEN-03": "kiểm tra số liệu khác thường so với các năm trước (gõ thừa chữ số, hoặc tiền"
              " ghi theo đồng thay vì nghìn đồng)",
}


def token(fingerprint: str) -> str:
    return f"[#{fingerprint[:TOKEN_LENGTH]}]"


def vn_day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def vn_time(moment: datetime) -> str:
    return f"{moment.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}"


def forms_text(forms: Sequence[str]) -> str:
    return ", ".join(f"{form} ({FORM_TITLES.get(form, form)})" for form in forms)


@dataclass(frozen=True)
class IssueNote:
    fingerprint: str
    rule_id: str
    severity: str
    form: str | None
    year: int
    message: str


@dataclass(frozen=True)
class FileNote:
    source_file: str
    received_at: datetime
    outcome: str  # accepted | superseding | not used | rejected
    unit_name: str = ""  # the unit it was read as, named as in its year
    year: int | None = None
    forms: tuple[str, ...] = ()
    reason: str = ""  # of a rejection
    replaced: tuple[str, ...] = ()  # earlier files this one supersedes
    changes: tuple[str, ...] = ()  # "biểu X, chỉ tiêu (dòng): cũ -> mới"
    issues: tuple[IssueNote, ...] = field(default=())


def hint(rule_id: str) -> str:
    return HINTS.get(rule_id) or HINTS.get(rule_id[:3], "kiểm tra lại số liệu trong biểu")


def issue_lines(issue: IssueNote) -> list[str]:
    where = f"biểu {issue.form}, " if issue.form else ""
    return [f"- [{SEVERITY.get(issue.severity, issue.severity)}] {where}năm {issue.year}:"
            f" {issue.message}",
            f"  Cần làm: {hint(issue.rule_id)}. Mã vấn đề: {token(issue.fingerprint)}"]


ANSWER = ("Nếu số liệu đã đúng, đề nghị trả lời thư này, ghi mã vấn đề [#…] cùng lời giải"
          " thích trong phần trả lời (mỗi mã một vấn đề); nếu số liệu sai, đề nghị gửi lại báo"
          " cáo đã sửa (thay thế báo cáo trước).")


def change_text(form: str, indicator: str, subunit: str, old: float | None,
                new: float | None) -> str:
    label = INDICATOR_LABELS.get(indicator, indicator)
    row = f" ({subunit})" if subunit else ""
    shown = ["trống" if v is None else format_number(v, None) for v in (old, new)]
    return f"biểu {form}, {label}{row}: {shown[0]} → {shown[1]}"


def receipt_subject(unit_name: str, files: Sequence[FileNote], issues: Sequence[IssueNote]
                    ) -> str:
    years = sorted({f.year for f in files if f.year} | {i.year for i in issues})
    year_text = f" năm {', '.join(str(y) for y in years)}" if years else ""
    if files and all(f.outcome == "rejected" for f in files):
        return f"[tuphap] Báo cáo{year_text} của {unit_name} bị từ chối: cần gửi lại"
    if files:
        return f"[tuphap] Đã nhận báo cáo{year_text} của {unit_name}"
    return (f"[tuphap] {format_number(len(issues))} vấn đề về số liệu báo cáo{year_text}"
            f" của {unit_name} cần kiểm tra")


def receipt_body(unit_name: str, files: Sequence[FileNote], issues: Sequence[IssueNote],
                 processed_at: datetime) -> str:
    """One message per unit and load: its files (what each was read as and what became of
    it), then its new issues."""
    lines = [f"Kính gửi {unit_name},", ""]
    if files:
        lines += [f"Kho dữ liệu tư pháp đã xử lý {format_number(len(files))} tệp báo cáo của đơn"
                  f" vị (lần nạp lúc {vn_time(processed_at)}):", ""]
    for n, f in enumerate(files, start=1):
        came = "đính kèm thư nhận lúc" if mailed(f.source_file) else "nhận lúc"
        lines.append(f"{n}. Tệp {shown_name(f.source_file)} ({came} {vn_time(f.received_at)})")
        if f.outcome == "rejected":
            lines += ["   Kết quả: BỊ TỪ CHỐI, chưa đưa vào kho dữ liệu.",
                      f"   Lý do: {f.reason}",
                      "   Cần làm: sửa tệp theo lý do trên rồi gửi lại cả tệp."]
        else:
            lines.append(f"   Đọc được là: báo cáo năm {f.year} của {f.unit_name},"
                         f" {forms_text(f.forms)}.")
            if f.outcome == "superseding":
                lines.append("   Kết quả: ĐÃ TIẾP NHẬN, thay thế báo cáo trước"
                             f" ({', '.join(f.replaced)}).")
                if f.changes:
                    lines.append("   Số liệu thay đổi so với báo cáo trước:")
                    lines += [f"   - {c}" for c in f.changes]
            elif f.outcome == "not used":
                lines.append("   Kết quả: ĐÃ TIẾP NHẬN nhưng không dùng: báo cáo khác của đơn"
                             f" vị đang được dùng ({', '.join(f.replaced)}). Nếu tệp này mới là"
                             " bản đúng, đề nghị trả lời thư này.")
            else:
                lines.append("   Kết quả: ĐÃ TIẾP NHẬN.")
            found = len(f.issues)
            lines.append(f"   Kiểm tra số liệu: {format_number(found)} vấn đề mới (xem bên dưới)."
                         if found else "   Kiểm tra số liệu: không phát hiện vấn đề mới.")
        lines.append("")
    if issues:
        errors = sum(1 for i in issues if i.severity == "error")
        lines += [f"Các vấn đề mới về số liệu của đơn vị: {format_number(errors)} lỗi,"
                  f" {format_number(len(issues) - errors)} cảnh báo.", ""]
        for issue in sorted(issues, key=lambda i: (i.severity != "error", i.year, i.rule_id)):
            lines += issue_lines(issue)
        lines += ["", ANSWER]
    return "\n".join([*lines, "", SIGNATURE, ""])


def issue_reminder(unit_name: str, issues: Sequence[IssueNote], rounds: int,
                   since: dict[str, date], head_copied: bool = False) -> tuple[str, str]:
    """Subject and body of the `rounds`-th reminder of a unit's open errors."""
    subject = (f"[tuphap] Nhắc lần {rounds}: {format_number(len(issues))} lỗi số liệu của"
               f" {unit_name} chưa được xử lý")
    lines = [f"Kính gửi {unit_name},", "",
             f"Các lỗi số liệu sau của đơn vị vẫn chưa được xử lý (nhắc lần {rounds}):", ""]
    for issue in sorted(issues, key=lambda i: (i.year, i.rule_id)):
        lines += issue_lines(issue)
        if issue.fingerprint in since:
            lines.append(f"  Đã báo từ ngày {vn_day(since[issue.fingerprint])}.")
    lines += ["", ANSWER]
    if head_copied:
        lines += ["", f"Thư này được gửi đồng thời tới lãnh đạo đơn vị vì các lỗi trên đã được"
                      f" nhắc {format_number(rounds - 1)} lần mà chưa được xử lý."]
    lines += ["", SIGNATURE, ""]
    return subject, "\n".join(lines)


def deadline_reminder(unit_name: str, year: int, due: date, forms: Sequence[str],
                      today: date, template_name: str,
                      rejected: Collection[str] = ()) -> tuple[str, str]:
    """`rejected`: forms whose files all came rejected (the receipt said why)."""
    days = (due - today).days
    when = (f"còn {format_number(days)} ngày" if days > 0 else "hạn là hôm nay" if days == 0
            else f"đã quá hạn {format_number(-days)} ngày")
    subject = (f"[tuphap] Nhắc nộp báo cáo năm {year} của {unit_name}"
               f" (hạn {vn_day(due)})")
    body = "\n".join([
        f"Kính gửi {unit_name},", "",
        f"Kho dữ liệu tư pháp chưa có báo cáo hợp lệ năm {year} của đơn vị ({when};"
        f" hạn nộp {vn_day(due)}). Biểu còn thiếu:",
        *(f"- {form} ({FORM_TITLES.get(form, form)})"
          + (": tệp đã gửi bị từ chối, xem thư báo nhận để biết lý do" if form in rejected
             else "") for form in forms), "",
        f"Biểu mẫu trống của đơn vị cho năm {year} được gửi kèm ({template_name}). Đề nghị"
        " điền số liệu vào biểu mẫu và gửi báo cáo như thường lệ. Nếu vừa gửi trong hôm nay,"
        " xin bỏ qua thư này.",
        "", SIGNATURE, ""])
    return subject, body


def quoted(text: str) -> list[str]:
    return [f"   > {line}" if line else "   >" for line in text.strip().splitlines()]


def explanation_receipt(unit_name: str, tokens: Sequence[str], explanation: str,
                        received_at: datetime) -> tuple[str, str]:
    """The reply to a unit's explanation of one or more issues."""
    subject = f"[tuphap] Đã ghi nhận giải trình của {unit_name}"
    lines = [f"Kính gửi {unit_name},", "",
             "Kho dữ liệu tư pháp đã ghi nhận giải trình của đơn vị về "
             + ("vấn đề " if len(tokens) == 1 else f"{format_number(len(tokens))} vấn đề ")
             + ", ".join(tokens) + f" (thư nhận lúc {vn_time(received_at)}).", "",
             "Nội dung giải trình đã ghi nhận:", "",
             *quoted(explanation), "",
             "Bộ phận dữ liệu sẽ xem xét giải trình. Nếu giải trình chưa được chấp nhận, đơn vị"
             " sẽ nhận được thư nêu lý do; nếu số liệu cần sửa, đề nghị gửi lại báo cáo đã sửa.",
             "", SIGNATURE, ""]
    return subject, "\n".join(lines)


def reopened(unit_name: str, issue: IssueNote, note: str) -> tuple[str, str]:
    """The data team does not accept the unit's explanation of an issue: why, and what next."""
    subject = f"[tuphap] Giải trình chưa được chấp nhận: vấn đề {token(issue.fingerprint)}"
    lines = [f"Kính gửi {unit_name},", "",
             "Bộ phận dữ liệu chưa chấp nhận giải trình của đơn vị về vấn đề sau:", "",
             *issue_lines(issue), "", "Lý do:", "", *quoted(note), "",
             "Vấn đề đã được mở lại. Đề nghị đơn vị gửi lại báo cáo đã sửa, hoặc trả lời thư"
             f" này, ghi mã {token(issue.fingerprint)} kèm nội dung giải trình bổ sung.", "",
             SIGNATURE, ""]
    return subject, "\n".join(lines)

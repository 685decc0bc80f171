"""The technical annex: what the data team needs to trace a figure, kept out of the body.

Forms by their codes, the files used and rejected (names, dates received), the quality issues
with their rule identifiers and fingerprints, the tables read, and the settings of the issuing
block. Labels are plain Vietnamese; the codes and names themselves are the point here. The PDF
may leave it out (`tuphap report --no-annex`); the HTML page always has it.
"""

from __future__ import annotations

from expectations.rules import RULES_BY_ID
from orchestration.report import plain, wording
from orchestration.report.issuer import SETTINGS
from orchestration.report.model import ReportData
from orchestration.report.sections import Block, note, paragraph, table

SEVERITY_WORDS = {"error": "lỗi", "warn": "cảnh báo"}
STATUS_WORDS = {"open": "chưa xử lý", "explained": "đơn vị đã giải trình",
                "acknowledged": "đã chấp nhận"}
TABLES_READ = ("fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province",
               "dim_unit", "rpt_cluster_year", "rpt_national_year", "dq_issues",
               "rejected_reports", "raw.submissions", "fct_target_achievement",
               "rpt_submissions")


def annex(data: ReportData, stem: str) -> list[Block]:
    blocks = [paragraph("Phần này dành cho người quản lý kho dữ liệu: mã biểu, tên tệp, mã quy "
                        "tắc kiểm tra và tên bảng dữ liệu mà báo cáo sử dụng.")]
    blocks.append(table(["Mã biểu", "Nội dung"],
                        [[code, words] for code, words in plain.FORM_WORDS.items()],
                        title="Các biểu báo cáo", widths=["auto", "1fr"]))
    names = {u.code: u.name for u in data.units}
    files = sorted({(s.unit_code, s.form, s.source_file, s.report_date, s.loaded_at)
                    for s in data.submissions}, key=lambda f: (f[0], f[1], f[2]))
    blocks.append(table(
        ["Đơn vị", "Mã biểu", "Tên tệp", "Ngày lập", "Ngày nạp"],
        [[names.get(u, u), form, name, wording.vn_date(day), wording.vn_date(loaded)]
         for u, form, name, day, loaded in files],
        title="Tệp báo cáo được dùng", widths=["1.6fr", "auto", "2.4fr", "auto", "auto"]))
    if data.rejections or data.rejections_without_year:
        blocks.append(table(
            ["Tên tệp", "Ngày nhận", "Lý do"],
            [[r.source_file, wording.vn_date(r.received_at), r.reason] for r in data.rejections],
            title="Tệp bị từ chối", widths=["1.6fr", "auto", "3fr"]))
        if data.rejections_without_year:
            blocks.append(note(f"Ngoài ra {wording.count(data.rejections_without_year)} tệp bị "
                               "từ chối không xác định được năm (bảng rejected_reports, năm "
                               "để trống)."))
    issues = [*data.issues, *data.past_errors]
    if issues:
        blocks.append(table(
            ["Năm", "Mã quy tắc", "Mức", "Tình trạng", "Đơn vị", "Mã biểu", "Mã vấn đề",
             "Nội dung"],
            [[str(i.year), i.rule_id, SEVERITY_WORDS.get(i.severity, i.severity),
              STATUS_WORDS.get(i.status, i.status), i.unit_code or "", i.form or "",
              i.fingerprint[:12], i.message] for i in issues],
            title="Vấn đề chất lượng số liệu chưa được giải quyết",
            widths=["auto", "auto", "auto", "auto", "auto", "auto", "auto", "3fr"]))
        used = sorted({i.rule_id for i in issues})
        blocks.append(table(["Mã quy tắc", "Quy tắc"],
                            [[r, RULES_BY_ID[r].title if r in RULES_BY_ID else ""] for r in used],
                            title="Các quy tắc kiểm tra đã nêu", widths=["auto", "1fr"]))
    blocks.append(paragraph("Bảng dữ liệu được đọc: " + ", ".join(TABLES_READ) + "."
                            + _absent(data)))
    blocks.append(paragraph(f"Tệp của báo cáo: {stem}.html (trang web), {stem}.pdf (bản in), "
                            f"{stem}.xlsx (bảng tính)."))
    blocks.append(paragraph("Phần đầu văn bản (cơ quan ban hành, số, nơi và ngày ban hành, đầu "
                            "mối liên hệ) lấy từ các biến môi trường "
                            + ", ".join(SETTINGS.values()) + "; thiếu cơ quan ban hành thì báo "
                            "cáo là dự thảo."))
    return blocks


def _absent(data: ReportData) -> str:
    missing = [name for name, value in (("fct_target_achievement", data.targets),
                                        ("rpt_submissions", data.deadlines)) if value is None]
    return f" Kho chưa có bảng {', '.join(missing)}." if missing else ""

"""Sections 5-7 of the report: who reported, the data quality, and where the figures come from.

Each section is a list of blocks (plain dicts: paragraph, note, list, table) that the HTML and
PDF templates lay out alike. Text from reports (unit names, file names, rejection reasons) is
carried as data, never as markup: jinja2 escapes it and typst receives it as JSON strings.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ingest.forms import UNIT_TYPE_FORMS
from orchestration.report import wording
from orchestration.report.flags import DAGGER, is_open_error
from orchestration.report.model import ReportData, Submission

Block = dict[str, Any]
SEVERITY_WORDS = {"error": "lỗi", "warn": "cảnh báo"}
FORM_WORDS = {"PBGDPL": "PBGDPL (phổ biến, giáo dục pháp luật)",
              "HOAGIAI": "HOAGIAI (hòa giải ở cơ sở)",
              "THADS_VIEC": "THADS_VIEC (thi hành án tính bằng việc)",
              "THADS_TIEN": "THADS_TIEN (thi hành án tính bằng tiền)"}
UNIT_TABLE_MAX = 20  # above this many units (national) the per-unit table gives way to counts


def paragraph(text: str) -> Block:
    return {"kind": "paragraph", "text": wording.nfc(text)}


def note(text: str) -> Block:
    return {"kind": "note", "text": wording.nfc(text)}


def items(texts: list[str]) -> Block:
    return {"kind": "list", "items": [wording.nfc(t) for t in texts]}


def table(header: list[str], rows: list[list[str]], *, title: str = "", unit: str = "",
          numeric: list[bool] | None = None, total: list[str] | None = None,
          notes: list[str] | None = None, widths: list[str] | None = None) -> Block:
    """A table block; `widths` are the PDF's column widths ("auto" or fractions like "2fr"):
    by default figures take what they need and text columns share the rest."""
    numeric = numeric or [False] * len(header)
    return {"kind": "table", "title": title, "unit": unit, "header": header,
            "rows": [[wording.nfc(c) for c in row] for row in rows],
            "total": [wording.nfc(c) for c in total] if total else None,
            "numeric": numeric, "notes": notes or [],
            "widths": widths or ["auto" if n else "1fr" for n in numeric]}


def reporting(data: ReportData) -> list[Block]:
    """Which units sent each form, which are missing (GEN-01), rejected files, corrections."""
    sent: dict[str, list[Submission]] = {}
    for s in data.submissions:
        sent.setdefault(s.unit_code, []).append(s)
    forms_of = {u.code: ([f for f in UNIT_TYPE_FORMS[u.unit_type]
                          if f in {s.form for s in sent.get(u.code, [])}],
                         [f for f in UNIT_TYPE_FORMS[u.unit_type]
                          if f not in {s.form for s in sent.get(u.code, [])}])
                for u in data.units}  # unit -> (forms sent, forms missing)
    missing = [(u, forms_of[u.code][1]) for u in data.units if forms_of[u.code][1]]
    complete = len(data.units) - len(missing)
    blocks = [paragraph(f"Năm {data.year}, {complete}/{len(data.units)} đơn vị đã gửi đủ các "
                        "biểu báo cáo.")]
    if len(data.units) <= UNIT_TABLE_MAX:
        rows = []
        for unit in data.units:
            files = sorted({(s.source_file, s.report_date) for s in sent.get(unit.code, [])},
                           key=lambda f: f[0])
            got, lacking = forms_of[unit.code]
            rows.append([unit.name, ", ".join(got) or wording.MISSING, ", ".join(lacking),
                         "\n".join(f"{name} ({wording.vn_date(day)})" if day else name
                                   for name, day in files) or wording.MISSING])
        blocks.append(table(["Đơn vị", "Biểu đã gửi", "Còn thiếu", "Tệp (ngày lập báo cáo)"],
                            rows, title="Báo cáo đã nhận",
                            widths=["2fr", "1.3fr", "0.8fr", "2.6fr"]))
    if missing:
        blocks.append(paragraph("Còn thiếu báo cáo (quy tắc GEN-01):"))
        blocks.append(items([f"{u.name}: biểu {', '.join(forms)}" for u, forms in missing]))
    else:
        blocks.append(paragraph("Không đơn vị nào thiếu báo cáo (quy tắc GEN-01)."))
    blocks += _rejections(data)
    blocks += _corrections(data)
    return blocks


def _rejections(data: ReportData) -> list[Block]:
    blocks = []
    if data.rejections:
        blocks.append(paragraph(f"Có {len(data.rejections)} tệp báo cáo năm {data.year} bị từ "
                                "chối, không đưa vào số liệu:"))
        blocks.append(table(["Tệp", "Ngày nhận", "Lý do"],
                            [[r.source_file, wording.vn_date(r.received_at), r.reason]
                             for r in data.rejections], widths=["2fr", "auto", "3fr"]))
    else:
        blocks.append(paragraph(f"Không có tệp báo cáo năm {data.year} nào bị từ chối."))
    if data.rejections_without_year:
        blocks.append(note(f"Ngoài ra, {data.rejections_without_year} tệp bị từ chối không xác "
                           "định được năm báo cáo (xem bảng rejected_reports)."))
    return blocks


def _corrections(data: ReportData) -> list[Block]:
    corrections = [i for i in data.issues if i.rule_id == "GEN-04"]
    if not corrections:
        return [paragraph("Không có báo cáo nào được thay thế bằng báo cáo có số liệu khác "
                          "(quy tắc GEN-04).")]
    lines = []
    for issue in corrections:
        d = issue.details
        if d.get("loser_file") and d.get("winner_file"):
            lines.append(
                f"{issue.unit_name}, biểu {issue.form}: báo cáo “{d['loser_file']}” "
                f"({wording.vn_date(d.get('loser_report_date'))}) được thay bằng "
                f"“{d['winner_file']}” ({wording.vn_date(d.get('winner_report_date'))}); "
                f"{d.get('changed_count', '?')} chỉ tiêu thay đổi.")
        else:
            lines.append(issue.message)
    return [paragraph("Báo cáo được thay thế (báo cáo sơ bộ rồi chính thức, hoặc đính chính; "
                      "quy tắc GEN-04):"), items(lines)]


def quality(data: ReportData) -> list[Block]:
    """Open issues by unit and rule, counts by severity; the footnote of the † marks."""
    open_issues = [i for i in data.issues if i.status == "open"]
    acknowledged = sum(1 for i in data.issues if i.status == "acknowledged")
    by_severity = Counter(i.severity for i in open_issues)
    if not open_issues:
        blocks = [paragraph(f"Năm {data.year} không có vấn đề chất lượng số liệu nào đang mở.")]
    else:
        blocks = [paragraph(
            f"Năm {data.year} có {wording.count(len(open_issues))} vấn đề chất lượng số liệu "
            f"đang mở: {wording.count(by_severity['error'])} lỗi (error) và "
            f"{wording.count(by_severity['warn'])} cảnh báo (warn).")]
        groups = Counter((i.unit_name or i.unit_code or "", i.rule_id, i.severity)
                         for i in open_issues)
        rows = [[unit, rule, SEVERITY_WORDS.get(sev, sev), wording.count(n)]
                for (unit, rule, sev), n in sorted(
                    groups.items(), key=lambda g: (g[0][2] != "error", g[0][0], g[0][1]))]
        blocks.append(table(["Đơn vị", "Quy tắc", "Mức", "Số vấn đề"], rows,
                            numeric=[False, False, False, True],
                            widths=["2fr", "1fr", "auto", "auto"]))
    if acknowledged:
        blocks.append(note(f"Ngoài ra {wording.count(acknowledged)} vấn đề đã được xác nhận "
                           "(acknowledged), không tính ở trên."))
    errors = [i for i in data.issues if is_open_error(i)]
    if errors:
        blocks.append(paragraph(f"{DAGGER} Số liệu đánh dấu {DAGGER} trong các bảng có lỗi chưa "
                                "được xử lý:"))
        blocks.append(items([f"{i.rule_id}: {i.message}" for i in errors]))
    return blocks


def sources(data: ReportData) -> list[Block]:
    """How many files, from which units, loaded when; synthetic or not; rates recomputed."""
    files = {s.sha256 for s in data.submissions}
    units = {s.unit_code for s in data.submissions}
    loaded = sorted(s.loaded_at for s in data.submissions if s.loaded_at is not None)
    text = (f"Số liệu năm {data.year} được tổng hợp từ {wording.count(len(files))} tệp báo cáo "
            f"của {wording.count(len(units))} đơn vị")
    if data.files_received > len(files):
        text += (f" (trong tổng số {wording.count(data.files_received)} tệp đã nhận có số liệu "
                 "năm này; báo cáo được thay thế không tính)")
    if loaded:
        first, last = wording.vn_date(loaded[0]), wording.vn_date(loaded[-1])
        text += f", nạp vào kho ngày {first}" if first == last else (
            f", nạp vào kho từ ngày {first} đến ngày {last}")
    blocks = [paragraph(text + ".")]
    last_load = wording.vn_datetime(data.loaded_at)
    blocks.append(paragraph(f"Kho dữ liệu nhận tệp lần cuối lúc {last_load} (giờ Việt Nam); "
                            "báo cáo này phản ánh kho tại thời điểm đó."))
    if data.synthetic_files and data.synthetic_files == len(files):
        blocks.append(paragraph("SỐ LIỆU GIẢ LẬP: toàn bộ các tệp trên là tệp mẫu do lệnh "
                                "“tuphap sample” sinh ra để thử nghiệm, không phải số liệu thống "
                                "kê chính thức."))
    elif data.synthetic_files:
        blocks.append(paragraph(f"SỐ LIỆU GIẢ LẬP: {wording.count(data.synthetic_files)}/"
                                f"{wording.count(len(files))} tệp trên là tệp mẫu do lệnh "
                                "“tuphap sample” sinh ra, không phải số liệu chính thức."))
    blocks.append(paragraph(
        "Các tỷ lệ được tính lại từ số liệu đếm trong báo cáo; tỷ lệ chung của "
        f"{'toàn quốc' if data.scope == 'national' else 'Khu vực'} tính từ tổng số, không lấy "
        "trung bình. Tiền trong báo cáo tính bằng nghìn đồng, được in theo triệu hoặc tỷ đồng. "
        "Năm thi hành án dân sự tính từ 01/10 năm trước đến 30/9; năm phổ biến, giáo dục pháp "
        "luật và hòa giải là năm dương lịch."))
    blocks.append(note("Nguồn: kho dữ liệu tư pháp (bảng fct_dissemination, fct_mediation, "
                       "fct_enforcement, các bảng *_current_boundaries, rpt_cluster_year, "
                       "rpt_national_year, dq_issues, rejected_reports và lớp raw)."))
    return blocks


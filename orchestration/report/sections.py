"""Sections 5-7 of the report: who reported and when, the data quality, where the figures come from.

Each section is a list of blocks (plain dicts: paragraph, note, list, table) that the HTML and
PDF templates lay out alike. Text from reports (unit names, rejection reasons) is carried as
data, never as markup: jinja2 escapes it and typst receives it as JSON strings. The body speaks
of forms, files and rules in words (plain.py); their codes and names are in the annex.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from expectations.rules import RULES_BY_ID
from ingest.forms import UNIT_TYPE_FORMS
from orchestration.report import plain, wording
from orchestration.report import targets as tg
from orchestration.report.flags import DAGGER, OPEN_STATUSES, YearMarks
from orchestration.report.model import Deadline, Issue, ReportData, Submission

Block = dict[str, Any]
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


def _names(data: ReportData) -> dict[str, str]:
    return {u.code: u.name for u in data.units}


def deadline_status(d: Deadline) -> str:
    """ "Đúng hạn", "Trễ 3 ngày", "Chưa gửi", "Chỉ có tệp bị từ chối"."""
    if d.status == "missing":
        return "Chưa gửi"
    if d.status != "received":
        return "Chỉ có tệp bị từ chối"
    if d.on_time or not d.days_late:
        return "Đúng hạn"
    return f"Trễ {wording.count(d.days_late)} ngày"


def missing_forms(data: ReportData) -> list[tuple[str, list[str]]]:
    """(unit name, forms missing) of the year: from rpt_submissions when the warehouse has it,
    else the units' forms that no accepted file brought."""
    names = _names(data)
    if data.deadlines is not None:
        out: dict[str, list[str]] = {}
        for d in data.deadlines:
            if d.status != "received":
                out.setdefault(names.get(d.unit_code, d.unit_code), []).append(d.form)
        return list(out.items())
    sent = {(s.unit_code, s.form) for s in data.submissions}
    return [(u.name, lacking) for u in data.units
            if (lacking := [f for f in UNIT_TYPE_FORMS[u.unit_type] if (u.code, f) not in sent])]


def reporting(data: ReportData) -> list[Block]:
    """Which units sent each form, on time or how late, which are missing, rejected files,
    corrected reports."""
    missing = missing_forms(data)
    lacking_units = len(missing)
    blocks = [paragraph(f"Năm {data.year}, {len(data.units) - lacking_units}/{len(data.units)} "
                        "đơn vị đã gửi đủ các biểu báo cáo.")]
    if data.deadlines is not None:
        blocks += _deadlines(data)
    else:
        blocks.append(paragraph("Kho dữ liệu chưa theo dõi hạn gửi báo cáo, nên chưa đánh giá "
                                "được đơn vị gửi đúng hạn hay trễ hạn."))
        if len(data.units) <= UNIT_TABLE_MAX:
            blocks.append(_received_table(data))
    if missing:
        blocks.append(paragraph("Còn thiếu báo cáo:"))
        blocks.append(items([f"{name}: biểu {wording.join([plain.form_words(f) for f in forms])}"
                             for name, forms in missing]))
    else:
        blocks.append(paragraph("Không đơn vị nào thiếu báo cáo."))
    return blocks + _rejections(data) + _corrections(data)


def _deadlines(data: ReportData) -> list[Block]:
    names = _names(data)
    rows = sorted(data.deadlines or (), key=lambda d: (d.province_code, d.unit_code, d.form))
    late = [d for d in rows if d.status == "received" and d.on_time is False]
    on_time = sum(1 for d in rows if d.status == "received" and d.on_time)
    text = (f"Trong {wording.count(len(rows))} biểu phải gửi, {wording.count(on_time)} biểu "
            f"gửi đúng hạn, {wording.count(len(late))} biểu gửi trễ hạn")
    if late:
        worst = max(d.days_late or 0 for d in late)
        text += f" (trễ nhiều nhất {wording.count(worst)} ngày)"
    blocks = [paragraph(text + ", tính theo lịch báo cáo.")]
    if len(data.units) <= UNIT_TABLE_MAX:
        blocks.append(table(
            ["Đơn vị", "Biểu báo cáo", "Hạn gửi", "Ngày nhận", "Tình trạng", "Số lần gửi lại"],
            [[names.get(d.unit_code, d.unit_code), plain.form_words(d.form).capitalize(),
              wording.vn_date(d.due_date), wording.vn_date(d.first_received_at),
              deadline_status(d), wording.count(d.corrections)] for d in rows],
            title="Báo cáo phải gửi và ngày nhận", numeric=[False] * 5 + [True],
            widths=["2fr", "1.6fr", "auto", "auto", "1fr", "auto"]))
    elif late:
        blocks.append(items([f"{names.get(d.unit_code, d.unit_code)}, biểu "
                             f"{plain.form_words(d.form)}: {deadline_status(d).lower()}"
                             for d in late]))
    return blocks


def _received_table(data: ReportData) -> Block:
    sent: dict[str, list[Submission]] = {}
    for s in data.submissions:
        sent.setdefault(s.unit_code, []).append(s)
    rows = []
    for unit in data.units:
        mine = sent.get(unit.code, [])
        forms = [f for f in UNIT_TYPE_FORMS[unit.unit_type] if f in {s.form for s in mine}]
        days = sorted({s.report_date for s in mine if s.report_date})
        rows.append([unit.name,
                     "; ".join(plain.form_words(f) for f in forms) or wording.MISSING,
                     ", ".join(wording.vn_date(d) for d in days) or wording.MISSING])
    return table(["Đơn vị", "Biểu đã gửi", "Ngày lập báo cáo"], rows,
                 title="Báo cáo đã nhận", widths=["2fr", "2.4fr", "1fr"])


def _rejections(data: ReportData) -> list[Block]:
    names = _names(data)
    if not data.rejections:
        blocks = [paragraph(f"Không có tệp báo cáo năm {data.year} nào bị từ chối.")]
    else:
        blocks = [paragraph(f"Có {wording.count(len(data.rejections))} tệp báo cáo năm "
                            f"{data.year} bị từ chối, không đưa vào số liệu:"),
                  items([f"{names[r.unit_code]}: {plain.first_clause(r.reason)}"
                         if r.unit_code in names else plain.first_clause(r.reason)
                         for r in data.rejections])]
    if data.rejections_without_year:
        blocks.append(note(f"Ngoài ra, {wording.count(data.rejections_without_year)} tệp bị từ "
                           "chối không xác định được năm báo cáo."))
    return blocks


def _corrections(data: ReportData) -> list[Block]:
    corrections = [i for i in data.issues if i.rule_id == "GEN-04"]
    if not corrections:
        return [paragraph("Không có báo cáo nào được thay thế bằng báo cáo có số liệu khác.")]
    lines = []
    for issue in corrections:
        d = issue.details
        lines.append(
            f"{issue.unit_name}, biểu {plain.form_words(issue.form)}: báo cáo lập ngày "
            f"{wording.vn_date(d.get('loser_report_date'))} được thay bằng báo cáo lập ngày "
            f"{wording.vn_date(d.get('winner_report_date'))}, "
            f"{wording.count(d.get('changed_count') or 0)} chỉ tiêu thay đổi.")
    return [paragraph("Báo cáo được thay thế (báo cáo sơ bộ rồi chính thức, hoặc đính chính):"),
            items([plain.plain(line) for line in lines])]


def quality(data: ReportData, marks: YearMarks) -> list[Block]:
    """Unresolved issues by unit, counts by severity, the unit's explanation; the footnote of
    the † marks, naming each error behind one."""
    unresolved = [i for i in data.issues if i.status in OPEN_STATUSES]
    accepted = sum(1 for i in data.issues if i.status == "acknowledged")
    by_severity = Counter(i.severity for i in unresolved)
    if not unresolved:
        blocks = [paragraph(f"Năm {data.year} không có vấn đề chất lượng số liệu nào chưa xử lý.")]
    else:
        blocks = [paragraph(
            f"Năm {data.year} có {wording.count(len(unresolved))} vấn đề chất lượng số liệu chưa "
            f"xử lý: {wording.count(by_severity['error'])} lỗi và "
            f"{wording.count(by_severity['warn'])} cảnh báo.")]
        units: dict[str, list] = {}
        for issue in unresolved:
            units.setdefault(issue.unit_name or "Chung", []).append(issue)
        rows = [[unit, wording.count(sum(1 for i in found if i.severity == "error")),
                 wording.count(sum(1 for i in found if i.severity == "warn")),
                 "; ".join(sorted({i.explanation for i in found if i.explanation}))
                 or "Chưa có"] for unit, found in sorted(units.items())]
        blocks.append(table(["Đơn vị", "Lỗi", "Cảnh báo", "Giải trình của đơn vị"], rows,
                            numeric=[False, True, True, False],
                            widths=["2fr", "auto", "auto", "2fr"]))
    if accepted:
        blocks.append(note(f"Ngoài ra {wording.count(accepted)} vấn đề đã được tổ dữ liệu xem "
                           "xét và chấp nhận, không tính ở trên."))
    errors = marks.errors()
    if errors:
        blocks.append(paragraph(f"{DAGGER} Số liệu đánh dấu {DAGGER} trong báo cáo dựa trên số "
                                "liệu có lỗi chưa được xử lý:"))
        blocks.append(items([_error_words(i) for i in errors]))
    return blocks


def _error_words(issue: Issue) -> str:
    """ "Cục Thi hành án dân sự tỉnh Sơn La, năm 2024: số giải quyết xong lớn hơn số có điều
    kiện (giải quyết xong 4.956 việc lớn hơn có điều kiện 4.919 việc)." """
    rule = RULES_BY_ID.get(issue.rule_id)
    message = plain.plain(issue.message)
    who, _, detail = message.partition(": ")
    if not detail or f"năm {issue.year}" not in who:
        who, detail = f"{issue.unit_name or 'Chung'}, năm {issue.year}", message
    title = rule.title[:1].lower() + rule.title[1:] if rule else ""
    return f"{who}: {title} ({detail.rstrip('.')})." if title else f"{who}: {detail}"


def sources(data: ReportData, workbook_name: str) -> list[Block]:
    """How many files, from which units, loaded when; synthetic or not; rates recomputed; the
    targets' decisions; the workbook with the report's tables."""
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
    blocks = [paragraph(text + "."),
              paragraph(f"Kho dữ liệu nhận tệp lần cuối lúc {wording.vn_datetime(data.loaded_at)}"
                        " (giờ Việt Nam); báo cáo này phản ánh kho tại thời điểm đó.")]
    if data.synthetic_files:
        share = ("toàn bộ các tệp trên" if data.synthetic_files == len(files) else
                 f"{wording.count(data.synthetic_files)}/{wording.count(len(files))} tệp trên")
        blocks.append(paragraph(f"SỐ LIỆU GIẢ LẬP: {share} là tệp mẫu do kho dữ liệu sinh ra để "
                                "thử nghiệm, không phải số liệu thống kê chính thức."))
    found = tg.decisions(data.targets or ())
    blocks.append(paragraph(
        "Chỉ tiêu được giao theo " + wording.join([tg.decision_words(n, d) for n, d in found])
        + "." if found else tg.absent_words(data)))
    blocks.append(paragraph(
        "Các tỷ lệ được tính lại từ số liệu đếm trong báo cáo; tỷ lệ chung của "
        f"{'toàn quốc' if data.scope == 'national' else 'Khu vực'} tính từ tổng số, không lấy "
        "trung bình. Tiền trong báo cáo của đơn vị tính bằng nghìn đồng, được in theo triệu hoặc "
        "tỷ đồng. Năm thi hành án dân sự tính từ 01/10 năm trước đến 30/9; năm phổ biến, giáo "
        "dục pháp luật và hòa giải là năm dương lịch."))
    blocks.append(paragraph(f"Các bảng số liệu của báo cáo có trong tệp bảng tính kèm theo, "
                            f"“{workbook_name}”."))
    return blocks

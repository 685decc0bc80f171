"""The fields every report carries, read the same way from a workbook cell or a CSV field:
the reporting year, the report date and each figure, checked against report-format.md.

Each function raises a Problem whose message tells the officer what to fix; `where` locates
the cell or line ("biểu PBGDPL, ô C4", "dòng 7").
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from ingest.constants import FIRST_REPORTING_YEAR, last_reporting_year
from ingest.forms import RATE_INDICATORS
from ingest.numbers import NumberError, ParsedNumber, parse_number
from ingest.text import Problem, collapse_spaces, echo, normalise_key


def parse_year(raw: object, where: str, label: str = "năm báo cáo") -> int:
    """"2022", "Năm 2022", 2022.0 -> 2022; anything else, or a year the warehouse does not
    accept (ingest.constants.reporting_years), is year_invalid. `label` names the field in the
    message ("năm báo cáo"; a targets decision's "năm giao chỉ tiêu")."""
    year: int | None = None
    if isinstance(raw, bool) or isinstance(raw, (date, time, timedelta)):
        year = None
    elif isinstance(raw, (int, float)):
        year = int(raw) if float(raw).is_integer() else None
    elif isinstance(raw, str):
        try:
            number = parse_number(raw)
            year = int(number.value) if number.is_integer and not number.percent else None
        except NumberError:
            found = set(re.findall(r"(?<!\d)(\d{4})(?!\d)", raw))
            year = int(found.pop()) if len(found) == 1 else None
    if year is None:
        raise Problem("year_invalid", f'{label} "{echo(raw)}" không đọc được; hãy ghi năm '
                                      f"dạng số, ví dụ 2022", where)
    first, last = FIRST_REPORTING_YEAR, last_reporting_year()
    if not first <= year <= last:
        raise Problem("year_invalid", f"{label} {year} không hợp lệ (phải từ {first} đến "
                                      f"{last})", where)
    return year


_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")


def parse_report_date(raw: object, where: str, label: str = "ngày lập báo cáo") -> date:
    """A date cell, "15/11/2022" (day first), "2022-11-15", or "ngày 15 tháng 11 năm 2022".
    `label` names the field in the message (a targets decision's "ngày quyết định")."""
    parts: tuple[int, int, int] | None = None
    if isinstance(raw, datetime):
        parts = (raw.year, raw.month, raw.day)
    elif isinstance(raw, date):
        parts = (raw.year, raw.month, raw.day)
    elif isinstance(raw, str):
        text = raw.strip()
        if m := _DMY.fullmatch(text):
            parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
        elif m := _YMD.fullmatch(text):
            parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m := _WORDS_DATE.search(normalise_key(text)):
            parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if parts is None:
        raise Problem("bad_date", f'{label} "{echo(raw)}" không đọc được; hãy ghi dạng '
                                  f"ngày/tháng/năm, ví dụ 15/11/2022", where)
    try:
        result = date(*parts)
    except ValueError as exc:
        raise Problem("bad_date", f'{label} "{echo(raw)}" không có thật (ghi theo thứ tự '
                                  f"ngày/tháng/năm)", where) from exc
    if not FIRST_REPORTING_YEAR <= result.year <= last_reporting_year():
        raise Problem("bad_date", f'{label} "{echo(raw)}" không hợp lệ', where)
    return result


def to_figure(raw: object, indicator: str, column_label: str, where: str) -> ParsedNumber:
    """Check one value against the contract: a number, not negative, whole unless a rate."""
    # echo() only when a message needs it: this runs for every figure of every report.
    if isinstance(raw, (date, time, timedelta)):
        raise Problem("not_a_number", f'giá trị "{echo(raw)}" là ngày tháng, không phải là số',
                      where)
    try:
        figure = parse_number(raw)
    except NumberError as exc:
        shown = echo(raw)
        what = (f'giá trị "{shown}" quá lớn, không phải số liệu hợp lệ' if exc.code == "too_large"
                else f'giá trị "{shown}" không phải là số')
        raise Problem("not_a_number", what, where, detail=f"{where}: {exc.detail}") from exc
    is_rate = indicator in RATE_INDICATORS
    if figure.percent and not is_rate:
        raise Problem("not_a_number", f'giá trị "{echo(raw)}" có dấu % nhưng {column_label} là '
                                      f"số đếm, không phải tỷ lệ", where)
    if figure.value < 0:
        raise Problem("negative", f'giá trị "{echo(raw)}" là số âm; số liệu không được âm', where)
    if not is_rate and not figure.is_integer:
        raise Problem("fractional", f'giá trị "{echo(raw)}" có phần thập phân; {column_label} '
                                    f"phải là số nguyên", where)
    return figure


def cell_text(raw: object) -> str:
    """Cell content as plain text, never evaluated: "=cmd|..." stays a string."""
    if isinstance(raw, str):
        return collapse_spaces(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return collapse_spaces(str(raw))


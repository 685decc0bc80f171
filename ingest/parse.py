"""Parse one received file into submissions, or one rejection an officer can act on.

This is the only entry point the orchestration calls. It never raises on bad content: every
problem becomes `ParseResult(rejection=Rejection(code, message, year, unit_code))`, and an
unexpected failure becomes code "unreadable" (English detail in `warnings`), because one bad
file must never stop the load of the others.

Order of checks (the first problem found is reported, so messages are deterministic):
file size -> kind vs extension -> container limits -> sheets/forms and table structure ->
unit and year (presence, year, unit, agreement across sheets, scope) -> form vs unit type ->
report date -> values (number, sign, whole). For CSV the same checks run line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ingest.csv_reader import read_csv
from ingest.filekind import SUPPORTED_KINDS, detect_kind
from ingest.forms import (
    FORM_COLUMNS,
    FORM_INDICATORS,
    FORM_UNIT_TYPE,
    RATE_INDICATORS,
    UNIT_TYPE_FORMS,
)
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.model import ParseResult, Rejection, ReportValue, Submission
from ingest.numbers import NumberError, ParsedNumber, parse_number, plain_whole
from ingest.reference import SCOPES, Registry, Unit, load_registry
from ingest.text import Problem, collapse_spaces, echo, is_blank, normalise_key
from ingest.workbook import (
    MetaField,
    SheetGrid,
    SheetTable,
    find_column_row,
    form_for_sheet_name,
    is_native_panic,
    is_total_label,
    looks_like_report_table,
    read_metadata,
    read_table,
    read_workbook,
    sheet_ref,
)

YEAR_MIN, YEAR_MAX = 2000, 2100
CLUSTER_NAME_VI = "cụm thi đua các tỉnh miền núi biên giới phía Bắc"
UNIT_TYPE_VI = {"STP": "Sở Tư pháp", "THADS": "cơ quan thi hành án dân sự"}
_UNIT_CODE = re.compile(r"(STP|THADS)\s*[-_ ]?\s*(\d{1,2})", re.IGNORECASE)
_FORM_LIST = ", ".join(FORM_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Entry point


def parse_file(
    path: Path,
    *,
    source_name: str | None = None,
    registry: Registry | None = None,
    scope: str = "cluster",
    limits: Limits = DEFAULT_LIMITS,
) -> ParseResult:
    """Read one report file (xlsx, xls, ods or long CSV) and validate it against the contract.

    `source_name` is the file name used in messages and for the extension check (the file may
    be read from the archive under its content hash); it defaults to `path.name`. `scope` is
    "cluster" (the cluster's members of the report's year) or "national" (every unit).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of {SCOPES}")
    path = Path(path)
    name = source_name or path.name
    kind = "unknown"
    warnings: list[str] = []
    try:
        reg = registry if registry is not None else load_registry()
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise Problem("unreadable", "không đọc được tệp trên đĩa", detail=str(exc)) from exc
        if size > limits.max_file_bytes:
            raise Problem("too_large", f"tệp quá lớn ({_mb(size)}, giới hạn "
                                       f"{_mb(limits.max_file_bytes)}); tệp báo cáo thông thường "
                                       f"chỉ vài trăm KB", detail=f"file size {size}")
        data = path.read_bytes()
        if len(data) > limits.max_file_bytes:  # grew since stat()
            raise Problem("too_large", f"tệp quá lớn (giới hạn {_mb(limits.max_file_bytes)})",
                          detail=f"file size {len(data)}")
        detected = detect_kind(data, name)
        kind = detected
        if detected == "csv":
            submissions = _parse_csv(data, reg, scope, limits, warnings)
        else:
            submissions = _parse_workbook(data, detected, reg, scope, limits, warnings)
        return ParseResult(kind, tuple(submissions), None, tuple(warnings))
    except Problem as problem:
        if problem.detail:
            warnings.append(problem.detail)
        rejection = Rejection(problem.code, _message(name, problem.where, problem.what),
                              problem.year, problem.unit_code)
        result_kind = kind if kind in SUPPORTED_KINDS else "unknown"
        return ParseResult(result_kind, (), rejection, tuple(warnings))
    except BaseException as exc:  # the contract: never raise on a file's content
        # Exceptions, and panics of the native spreadsheet reader (BaseException, see
        # workbook.is_native_panic); an interrupt or exit still stops the load.
        if not isinstance(exc, Exception) and not is_native_panic(exc):
            raise
        warnings.append(f"unexpected {type(exc).__name__} while parsing {name!r}: {exc}")
        message = _message(name, "", "không đọc được tệp do lỗi không mong đợi khi xử lý; hãy "
                                     "mở tệp, lưu lại đúng mẫu rồi gửi lại, hoặc báo cho nhóm "
                                     "dữ liệu")
        return ParseResult(kind if kind in SUPPORTED_KINDS else "unknown", (),
                           Rejection("unreadable", message), tuple(warnings))


def _message(file_name: str, where: str, what: str) -> str:
    head = f'Tệp "{echo(file_name, 120)}"'
    what = what.rstrip(". ")
    return f"{head}, {where}: {what}." if where else f"{head}: {what}."


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"


# ---------------------------------------------------------------------------------------------
# Shared field checks


def parse_year(raw: object, where: str) -> int:
    """"2022", "Năm 2022", 2022.0 -> 2022; anything else, or outside 2000..2100, is year_invalid."""
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
        raise Problem("year_invalid", f'năm báo cáo "{echo(raw)}" không đọc được; hãy ghi năm '
                                      f"dạng số, ví dụ 2022", where)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Problem("year_invalid", f"năm báo cáo {year} không hợp lệ (phải từ {YEAR_MIN} đến "
                                      f"{YEAR_MAX})", where)
    return year


_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")


def parse_report_date(raw: object, where: str) -> date:
    """A date cell, "15/11/2022" (day first), "2022-11-15", or "ngày 15 tháng 11 năm 2022"."""
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
        raise Problem("bad_date", f'ngày lập báo cáo "{echo(raw)}" không đọc được; hãy ghi dạng '
                                  f"ngày/tháng/năm, ví dụ 15/11/2022", where)
    try:
        result = date(*parts)
    except ValueError as exc:
        raise Problem("bad_date", f'ngày lập báo cáo "{echo(raw)}" không có thật (ghi theo thứ tự '
                                  f"ngày/tháng/năm)", where) from exc
    if not YEAR_MIN <= result.year <= YEAR_MAX:
        raise Problem("bad_date", f'ngày lập báo cáo "{echo(raw)}" không hợp lệ', where)
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


def _cell_text(raw: object) -> str:
    """Cell content as plain text, never evaluated: "=cmd|..." stays a string."""
    if isinstance(raw, str):
        return collapse_spaces(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return collapse_spaces(str(raw))


def normalise_unit_code(text: str) -> str | None:
    """"THADS-10", "thads 10", "STP_4" -> "THADS-10", "STP-04"; None if not a unit code."""
    match = _UNIT_CODE.fullmatch(text.strip())
    if match is None:
        return None
    return f"{match.group(1).upper()}-{int(match.group(2)):02d}"


def _in_sentence(province_name: str) -> str:
    """"Tỉnh Lào Cai" -> "tỉnh Lào Cai", as it reads mid-sentence."""
    for kind in ("Tỉnh ", "Thành phố "):
        if province_name.startswith(kind):
            return kind.lower() + province_name[len(kind):]
    return province_name


def _explain_absent(registry: Registry, versions: list[Unit], year: int, subject: str) -> str:
    """Why `subject` (a quoted name or code) has no unit in `year`: merged away, or not yet."""
    ends = [(u, registry.year_end(u.unit_type, year)) for u in versions]
    ended = [u for u, end in ends if u.valid_to is not None and u.valid_to < end]
    if ended:
        last = max(ended, key=lambda u: u.valid_to or date.min)
        successor = registry.successor_unit(last, year)
        old = next((p for p in registry.province_versions(last.province_code)
                    if p.valid_to is not None and p.valid_to == last.valid_to), None)
        when = (last.valid_to + timedelta(days=1)).strftime("%d/%m/%Y") if last.valid_to else ""
        if successor is not None and old is not None:
            new = registry.province(successor.province_code, year, successor.unit_type)
            new_name = _in_sentence(new.province_name) if new else successor.province_code
            old_name = _in_sentence(old.province_name)
            return (f"{subject} không còn hiệu lực năm {year}: {old_name} (mã "
                    f"{old.province_code}) đã hợp nhất vào {new_name} (mã "
                    f"{successor.province_code}) từ ngày {when}; năm {year} hãy báo cáo là "
                    f'"{successor.unit_name}", mã {successor.unit_code}')
        return f"{subject} không còn hiệu lực năm {year} (chỉ có hiệu lực đến {when})"
    first = min(versions, key=lambda u: u.valid_from or date.min)
    since = first.valid_from.strftime("%d/%m/%Y") if first.valid_from else ""
    return f"{subject} chưa có năm {year} (chỉ có từ ngày {since})"


def resolve_unit_code(registry: Registry, raw: str, year: int, where: str) -> Unit:
    code = normalise_unit_code(raw)
    if code is None:
        raise Problem("unit_unknown", f'mã đơn vị "{echo(raw)}" không đúng dạng STP-PP hoặc '
                                      f"THADS-PP (PP là mã tỉnh), ví dụ THADS-10", where,
                      year=year)
    unit = registry.unit(code, year)
    if unit is not None:
        return unit
    versions = list(registry.unit_versions(code))
    if not versions:
        raise Problem("unit_unknown", f'không có đơn vị mã "{code}" trong danh mục đơn vị', where,
                      year=year)
    raise Problem("unit_unknown", _explain_absent(registry, versions, year, f'mã đơn vị "{code}"'),
                  where, year=year)


def resolve_unit_name(registry: Registry, raw: str, year: int, where: str) -> Unit:
    unit = registry.resolve_name(raw, year)
    if unit is not None:
        return unit
    versions = registry.name_candidates(raw)
    shown = f'đơn vị "{echo(raw)}"'
    if not versions:
        raise Problem("unit_unknown",
                      f"không tìm thấy {shown} trong danh mục đơn vị; hãy ghi đúng tên, ví dụ "
                      f'"Sở Tư pháp tỉnh Lào Cai" hoặc "Cục Thi hành án dân sự tỉnh Lào Cai", '
                      f'hoặc ghi thêm dòng "Mã đơn vị" (ví dụ STP-10)', where, year=year)
    valid = sorted({u.unit_code for u in versions
                    if u.valid_on(registry.year_end(u.unit_type, year))})
    if len(valid) > 1:
        raise Problem("unit_unknown", f"tên {shown} có thể là nhiều đơn vị ({', '.join(valid)}); "
                                      f'hãy ghi thêm dòng "Mã đơn vị"', where, year=year)
    raise Problem("unit_unknown", _explain_absent(registry, versions, year, shown), where,
                  year=year)


def check_scope(registry: Registry, unit: Unit, year: int, scope: str) -> None:
    if not registry.in_scope(unit.unit_code, year, scope):
        raise Problem("unit_out_of_scope",
                      f'đơn vị "{unit.unit_name}" không thuộc {CLUSTER_NAME_VI} năm {year}',
                      year=year, unit_code=unit.unit_code)


def check_form_for_unit(unit: Unit, form: str, year: int, where: str) -> None:
    if FORM_UNIT_TYPE[form] != unit.unit_type:
        forms = ", ".join(UNIT_TYPE_FORMS[unit.unit_type])
        raise Problem("form_not_for_unit",
                      f'đơn vị "{unit.unit_name}" ({unit.unit_code}) là '
                      f"{UNIT_TYPE_VI[unit.unit_type]}, chỉ báo cáo các biểu {forms}; biểu {form} "
                      f"là biểu của {UNIT_TYPE_VI[FORM_UNIT_TYPE[form]]}", where,
                      year=year, unit_code=unit.unit_code)


# ---------------------------------------------------------------------------------------------
# Workbooks


@dataclass(frozen=True)
class _Sourced:
    """A metadata value and the sheet it came from (another sheet's, when inherited)."""

    field: MetaField
    table_where: str

    @property
    def where(self) -> str:
        return f"{self.table_where}, ô {self.field.ref}"


def _parse_workbook(data: bytes, kind: str, registry: Registry, scope: str, limits: Limits,
                    warnings: list[str]) -> list[Submission]:
    grids = read_workbook(data, kind, limits, warnings)
    try:
        return _workbook_submissions(grids, registry, scope, warnings)
    except Problem as problem:
        if problem.year is None or problem.unit_code is None:
            year, unit_code = _guess_identity(grids, registry)
            problem.year = problem.year if problem.year is not None else year
            problem.unit_code = problem.unit_code or unit_code
        raise


def _workbook_submissions(grids: list[SheetGrid], registry: Registry, scope: str,
                          warnings: list[str]) -> list[Submission]:
    forms: list[tuple[SheetGrid, str]] = []
    for grid in grids:
        form = form_for_sheet_name(grid.name)
        if form is None:
            if looks_like_report_table(grid):
                raise Problem("unknown_form",
                              f'trang tính "{echo(grid.name)}" có bảng số liệu nhưng tên trang '
                              f"không phải mã biểu; hãy đặt tên trang tính là mã biểu "
                              f"({_FORM_LIST})")
            warnings.append(f"sheet {grid.name!r} ignored: not a form")
            continue
        forms.append((grid, form))
    if not forms:
        raise Problem("no_forms", f"không có trang tính nào là biểu báo cáo; tên trang tính phải "
                                  f"là mã biểu ({_FORM_LIST})")
    first_sheet: dict[str, str] = {}
    for grid, form in forms:
        if form in first_sheet:
            raise Problem("duplicate_indicator",
                          f'biểu {form} có hai trang tính ("{echo(first_sheet[form])}" và '
                          f'"{echo(grid.name)}"); mỗi biểu chỉ được một trang tính')
        first_sheet[form] = grid.name

    tables = [read_table(grid, form) for grid, form in forms]
    content = [t for t in tables if t.has_values]
    for table in tables:
        if not table.has_values:
            warnings.append(f"sheet {table.sheet_name!r} ({table.form}) has no figures; skipped")
    if not content:
        raise Problem("no_forms", "các biểu trong tệp không có số liệu nào (mọi ô số liệu đều "
                                  "trống)")

    # Metadata: a sheet's own lines, else those of the first form sheet that has them.
    inherited: dict[str, _Sourced] = {}
    for table in tables:
        for key, meta_field in table.meta.items():
            inherited.setdefault(key, _Sourced(meta_field, table.where))

    def effective(table: SheetTable, key: str) -> _Sourced | None:
        own = table.meta.get(key)
        return _Sourced(own, table.where) if own is not None else inherited.get(key)

    identities: list[tuple[SheetTable, Unit, int, _Sourced | None]] = []
    cache: dict[tuple[object, ...], tuple[Unit, int]] = {}
    for table in content:
        name_src, code_src = effective(table, "unit_name"), effective(table, "unit_code")
        year_src = effective(table, "year")
        if name_src is None and code_src is None:
            raise Problem("unit_missing", 'không xác định được đơn vị báo cáo: thiếu dòng "Đơn vị '
                                          'báo cáo" (hoặc "Mã đơn vị") phía trên bảng số liệu',
                          table.where)
        if year_src is None:
            raise Problem("year_missing", 'thiếu dòng "Năm báo cáo" phía trên bảng số liệu',
                          table.where)
        key = (id(name_src.field) if name_src else None, id(code_src.field) if code_src else None,
               id(year_src.field))
        if key not in cache:
            cache[key] = _identify(registry, name_src, code_src, year_src, warnings)
        unit, year = cache[key]
        identities.append((table, unit, year, name_src))

    first_table, first_unit, first_year, _ = identities[0]
    for table, unit, year, _ in identities[1:]:
        if unit.unit_code != first_unit.unit_code:
            raise Problem("unit_mismatch",
                          f'các biểu ghi đơn vị khác nhau: {first_table.where} là '
                          f'"{first_unit.unit_name}" ({first_unit.unit_code}), {table.where} là '
                          f'"{unit.unit_name}" ({unit.unit_code}); mỗi tệp chỉ của một đơn vị',
                          year=first_year)
        if year != first_year:
            raise Problem("year_invalid",
                          f"các biểu ghi năm báo cáo khác nhau: {first_table.where} là năm "
                          f"{first_year}, {table.where} là năm {year}; mỗi tệp chỉ báo cáo một năm",
                          year=first_year, unit_code=first_unit.unit_code)
    check_scope(registry, first_unit, first_year, scope)

    submissions: list[Submission] = []
    for table, unit, year, name_src in identities:
        try:
            check_form_for_unit(unit, table.form, year, table.where)
            date_src = effective(table, "report_date")
            report_date = (parse_report_date(date_src.field.value, date_src.where)
                           if date_src is not None and not is_blank(date_src.field.value) else None)
            values = _table_values(table)
        except Problem as problem:
            problem.year = year
            problem.unit_code = unit.unit_code
            raise
        name_reported = (collapse_spaces(str(name_src.field.value))
                         if name_src is not None else None)
        submissions.append(Submission(
            unit_code=unit.unit_code, province_code=unit.province_code, year=year,
            form=table.form, report_date=report_date, unit_name_reported=name_reported,
            sheet_name=table.sheet_name, values=tuple(values)))
    return submissions


def _identify(registry: Registry, name_src: _Sourced | None, code_src: _Sourced | None,
              year_src: _Sourced, warnings: list[str]) -> tuple[Unit, int]:
    year = parse_year(year_src.field.value, year_src.where)
    code_unit = None
    if code_src is not None:
        code_unit = resolve_unit_code(registry, _cell_text(code_src.field.value), year,
                                      code_src.where)
    if name_src is None:
        assert code_unit is not None
        return code_unit, year
    name = _cell_text(name_src.field.value)
    if code_unit is None:
        return resolve_unit_name(registry, name, year, name_src.where), year
    name_unit = registry.resolve_name(name, year)
    if name_unit is None and not registry.name_candidates(name):
        # An unusual spelling of the name must not block a report whose code is right.
        warnings.append(f"unit name {name!r} not recognised; using unit code "
                        f"{code_unit.unit_code}")
        return code_unit, year
    if name_unit is None:
        name_unit = resolve_unit_name(registry, name, year, name_src.where)  # raises why
    if name_unit.unit_code != code_unit.unit_code:
        raise Problem("unit_mismatch",
                      f'tên đơn vị "{echo(name)}" ({name_unit.unit_code}) và mã đơn vị '
                      f'"{code_unit.unit_code}" ({code_unit.unit_name}) không khớp nhau; hãy sửa '
                      f"cho đúng", code_src.where, year=year)
    return code_unit, year


def _table_values(table: SheetTable) -> list[ReportValue]:
    columns = FORM_COLUMNS[table.form]
    values: list[ReportValue] = []
    seen: dict[str | None, int] = {}
    order = 0
    prefix = sheet_ref(table.sheet_name)
    for row in table.rows:
        if is_blank(row.subunit):
            raise Problem("unit_missing", f"dòng {row.sheet_row} có số liệu nhưng cột (1) (tên "
                                          f"đơn vị) để trống",
                          f"{table.where}, ô {row.subunit_ref}")
        if is_total_label(row.subunit):
            subunit, subunit_order, key = None, 0, None
        else:
            subunit = _cell_text(row.subunit)
            order += 1
            subunit_order, key = order, subunit.casefold()
        if key in seen:
            label = f'đơn vị "{echo(subunit)}"' if subunit is not None else "dòng tổng cộng"
            raise Problem("duplicate_indicator", f"{label} xuất hiện hai lần (dòng {seen[key]} và "
                                                 f"dòng {row.sheet_row})",
                          f"{table.where}, ô {row.subunit_ref}")
        seen[key] = row.sheet_row
        for number, raw, ref in row.values:
            indicator = columns[number]
            value, decimals = plain_whole(raw), 0
            if value is None:  # not a plain count: the full checks, and a message if wrong
                figure = to_figure(raw, indicator, f"cột ({number})", f"{table.where}, ô {ref}")
                value, decimals = figure.value, figure.decimals
            values.append(ReportValue(subunit, subunit_order, indicator, value, decimals,
                                      f"{prefix}!{ref}"))
    return values


def _guess_identity(grids: list[SheetGrid], registry: Registry) -> tuple[int | None, str | None]:
    """Best-effort year and unit for a rejection raised before the unit was resolved, so the
    rejection can still be listed under its year. Never raises."""
    year: int | None = None
    unit_code: str | None = None
    for grid in grids:
        if form_for_sheet_name(grid.name) is None:
            continue
        try:
            found = find_column_row(grid.rows)
            meta = read_metadata(grid, found[0] if found else min(len(grid.rows), 40))
            if year is None and "year" in meta:
                year = parse_year(meta["year"].value, "")
            if year is not None and unit_code is None:
                if "unit_code" in meta:
                    unit_code = resolve_unit_code(
                        registry, _cell_text(meta["unit_code"].value), year, "").unit_code
                elif "unit_name" in meta:
                    unit_code = resolve_unit_name(
                        registry, _cell_text(meta["unit_name"].value), year, "").unit_code
        except Exception:  # noqa: BLE001, S112 - a guess only
            continue
        if year is not None and unit_code is not None:
            break
    return year, unit_code


# ---------------------------------------------------------------------------------------------
# CSV


@dataclass
class _Group:
    unit: Unit
    year: int
    form: str
    values: list[ReportValue]
    subunit_order: dict[str, int]
    seen: dict[tuple[str | None, str], int]
    name_reported: str | None


def _csv_form(raw: str) -> str | None:
    return form_for_sheet_name(raw) if raw.strip() else None


def _csv_subunit(raw: str) -> tuple[str, str] | None:
    """A CSV sub-unit as (name as stored, key for sameness); None for the unit's total (an
    empty field or a total label such as "Tổng cộng")."""
    if is_blank(raw) or is_total_label(raw):
        return None
    name = collapse_spaces(raw)
    return name, name.casefold()


def _check_csv_line(fields: dict[str, str], where: str, registry: Registry, scope: str,
                    units: dict[tuple[str, int], Unit]) -> tuple[Unit, int, str, str]:
    """The unit, year, form and indicator a CSV line names, checked in the contract's order;
    raises the line's first problem. `units` remembers the units already resolved (and in
    scope) by (code field, year)."""
    year: int | None = None
    unit: Unit | None = None
    try:
        unit_raw, year_raw = fields["unit_code"].strip(), fields["year"].strip()
        if not unit_raw:
            raise Problem("unit_missing", "cột unit_code (mã đơn vị) để trống", where)
        if not year_raw:
            raise Problem("year_missing", "cột year (năm báo cáo) để trống", where)
        year = parse_year(year_raw, where)
        unit_key = (unit_raw, year)
        if unit_key not in units:
            if normalise_unit_code(unit_raw) is not None or not registry.name_candidates(
                    unit_raw):
                units[unit_key] = resolve_unit_code(registry, unit_raw, year, where)
            else:  # a unit name in the code column: accepted, as in workbooks
                units[unit_key] = resolve_unit_name(registry, unit_raw, year, where)
            check_scope(registry, units[unit_key], year, scope)
        unit = units[unit_key]
        form = _csv_form(fields["form"])
        if form is None:
            raise Problem("unknown_form", f'mã biểu "{echo(fields["form"])}" không đúng; phải '
                                          f"là một trong {_FORM_LIST}", where)
        check_form_for_unit(unit, form, year, where)
        indicator = fields["indicator"].strip().casefold()
        if indicator not in FORM_INDICATORS[form]:
            raise Problem("unknown_column",
                          f'chỉ tiêu "{echo(fields["indicator"])}" không có trong biểu {form} '
                          f"(các chỉ tiêu: {', '.join(FORM_INDICATORS[form])})", where)
        return unit, year, form, indicator
    except Problem as problem:
        problem.year = problem.year if problem.year is not None else year
        problem.unit_code = problem.unit_code or (unit.unit_code if unit else None)
        raise


def _parse_csv(data: bytes, registry: Registry, scope: str, limits: Limits,
               warnings: list[str]) -> list[Submission]:
    table = read_csv(data, limits)
    if table.encoding not in ("utf-8", "utf-8-sig"):
        warnings.append(f"CSV decoded as {table.encoding}")
    if table.extra_columns:
        warnings.append(f"CSV columns ignored: {', '.join(table.extra_columns)}")
    if not table.records:
        raise Problem("no_forms", "tệp chỉ có dòng tiêu đề, không có dòng số liệu nào")
    groups: dict[tuple[str, int, str], _Group] = {}
    units: dict[tuple[str, int], Unit] = {}
    # A file repeats the same unit, year, form and indicator texts line after line, and the
    # same sub-unit names: each distinct spelling is checked once per file. Only lines that
    # passed are remembered, so a bad line still fails at its own line number, and the dicts
    # never outgrow the file (bounded by the limits).
    checked: dict[tuple[str, str, str, str], tuple[Unit, int, str, str]] = {}
    subunits: dict[str, tuple[str, str] | None] = {}  # text -> (name, key); None: the total
    for record in table.records:
        fields = record.fields
        key = (fields["unit_code"], fields["year"], fields["form"], fields["indicator"])
        identity = checked.get(key)
        if identity is None:  # raises this line's first problem, if any
            identity = checked[key] = _check_csv_line(fields, f"dòng {record.line}", registry,
                                                      scope, units)
        unit, year, form, indicator = identity
        raw_value = fields["value"]
        if is_blank(raw_value):
            continue  # not reported
        group = groups.get((unit.unit_code, year, form))
        if group is None:
            unit_raw = fields["unit_code"].strip()
            name_reported = None if normalise_unit_code(unit_raw) else unit_raw
            group = groups[unit.unit_code, year, form] = _Group(unit, year, form, [], {}, {},
                                                                name_reported)
        subunit_raw = fields["subunit"]
        if subunit_raw not in subunits:
            subunits[subunit_raw] = _csv_subunit(subunit_raw)
        named = subunits[subunit_raw]
        if named is None:
            subunit, subunit_key, subunit_order = None, None, 0
        else:
            subunit, subunit_key = named
            subunit_order = group.subunit_order.setdefault(subunit_key,
                                                           len(group.subunit_order) + 1)
        try:
            dup_key = (subunit_key, indicator)
            if dup_key in group.seen:
                label = f'đơn vị "{echo(subunit)}"' if subunit is not None else "tổng của đơn vị"
                raise Problem("duplicate_indicator",
                              f"chỉ tiêu {indicator} của {label} (biểu {form}) đã có ở dòng "
                              f"{group.seen[dup_key]}", f"dòng {record.line}")
            group.seen[dup_key] = record.line
            value, decimals = plain_whole(raw_value), 0
            if value is None:  # not a plain count: the full checks, and a message if wrong
                figure = to_figure(raw_value, indicator, f"chỉ tiêu {indicator}",
                                   f"dòng {record.line}")
                value, decimals = figure.value, figure.decimals
        except Problem as problem:
            problem.year = problem.year if problem.year is not None else year
            problem.unit_code = problem.unit_code or unit.unit_code
            raise
        group.values.append(ReportValue(subunit, subunit_order, indicator, value, decimals,
                                        f"line {record.line}"))
    if not groups:
        raise Problem("no_forms", "tệp không có giá trị số liệu nào (cột value đều trống)")
    return [
        Submission(unit_code=g.unit.unit_code, province_code=g.unit.province_code, year=g.year,
                   form=g.form, report_date=None, unit_name_reported=g.name_reported,
                   sheet_name=None, values=tuple(g.values))
        for g in groups.values()
    ]


__all__ = ["parse_file", "parse_year", "parse_report_date", "to_figure", "normalise_unit_code"]

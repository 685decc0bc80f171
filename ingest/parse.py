"""Parse one received file into submissions (a report), a targets decision, or one rejection
an officer can act on.

This is the only entry point the orchestration calls. It never raises on bad content: every
problem becomes `ParseResult(rejection=Rejection(code, message, year, unit_code))`, and an
unexpected failure becomes code "unreadable" (English detail in `warnings`), because one bad
file must never stop the load of the others.

Order of checks (the first problem found is reported, so messages are deterministic):
file size -> kind vs extension -> container limits -> sheets/forms and table structure ->
unit and year (presence, year, unit, agreement across sheets, scope) -> form vs unit type ->
report date -> values (number, sign, whole). For CSV the same checks run line by line.

The checks live by subject: ingest.fields (year, date, figures), ingest.identity (the unit),
ingest.workbook_submissions and ingest.csv_submissions (the order above, per kind of file).
A workbook with a CHITIEU sheet, or a CSV with the decision header, is a targets decision
(report-format.md, "Targets"): ingest.targets checks it (structure, year, decision number,
date, then every row).
"""

from __future__ import annotations

from pathlib import Path

from ingest.constants import SCOPES, format_mib
from ingest.csv_reader import read_csv
from ingest.csv_submissions import parse_csv
from ingest.fields import parse_report_date, parse_year, to_figure
from ingest.filekind import SUPPORTED_KINDS, detect_kind
from ingest.identity import normalise_unit_code
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.model import ParseResult, Rejection, Submission, TargetDecision
from ingest.reference import Registry, load_registry
from ingest.targets import has_targets_sheet, parse_targets_csv, parse_targets_workbook
from ingest.text import Problem, echo
from ingest.workbook.reader import is_native_panic, read_workbook
from ingest.workbook_submissions import parse_workbook


def parse_file(
    path: Path,
    *,
    source_name: str | None = None,
    registry: Registry | None = None,
    scope: str = "cluster",
    limits: Limits = DEFAULT_LIMITS,
) -> ParseResult:
    """Read one report or targets decision file (xlsx, xls, ods or long CSV) and validate it
    against the contract.

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
            raise Problem("too_large", f"tệp quá lớn ({format_mib(size)}, giới hạn "
                                       f"{format_mib(limits.max_file_bytes)}); tệp báo cáo thông "
                                       f"thường chỉ vài trăm KB", detail=f"file size {size}")
        data = path.read_bytes()
        if len(data) > limits.max_file_bytes:  # grew since stat()
            raise Problem("too_large",
                          f"tệp quá lớn (giới hạn {format_mib(limits.max_file_bytes)})",
                          detail=f"file size {len(data)}")
        detected = detect_kind(data, name)
        kind = detected
        submissions: list[Submission] = []
        decisions: list[TargetDecision] = []
        if detected == "csv":
            table = read_csv(data, limits)
            if table.encoding not in ("utf-8", "utf-8-sig"):
                warnings.append(f"CSV decoded as {table.encoding}")
            if table.extra_columns:
                warnings.append(f"CSV columns ignored: {', '.join(table.extra_columns)}")
            if table.kind == "targets":
                decisions = parse_targets_csv(table, reg, warnings)
            else:
                submissions = parse_csv(table, reg, scope, warnings)
        else:
            grids = read_workbook(data, detected, limits, warnings)
            if has_targets_sheet(grids):
                decisions = parse_targets_workbook(grids, reg, warnings)
            else:
                submissions = parse_workbook(grids, reg, scope, warnings)
        return ParseResult(kind, tuple(submissions), None, tuple(warnings), tuple(decisions))
    except Problem as problem:
        if problem.detail:
            warnings.append(problem.detail)
        rejection = Rejection(problem.code, _message(name, problem.where, problem.what),
                              problem.year, problem.unit_code)
        result_kind = kind if kind in SUPPORTED_KINDS else "unknown"
        return ParseResult(result_kind, (), rejection, tuple(warnings))
    except BaseException as exc:  # the contract: never raise on a file's content
        # Exceptions, and panics of the native spreadsheet reader (BaseException, see
        # ingest.workbook.reader.is_native_panic); an interrupt or exit still stops the load.
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


# parse_file is the entry point; the field checks are re-exported for callers that check one
# value the way a report's is checked.
__all__ = ["parse_file", "parse_year", "parse_report_date", "to_figure", "normalise_unit_code"]

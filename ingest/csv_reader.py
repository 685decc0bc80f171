"""Reading the long CSV format: decoding, delimiter, header, records with physical line numbers.

Machine exports and Excel's "Save as CSV" differ by locale: a Vietnamese Windows writes ";" and
Windows-1258 (which stores tone marks as combining characters, hence the NFC step), others
write "," and UTF-8, with or without a byte-order mark. Checking the fields is ingest.parse's
job; this module only turns bytes into (line number, {column: text}) records.

Two kinds of long CSV share these rules: a unit's report and a targets decision
(report-format.md, "Targets"); the header says which one a file is.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from ingest.limits import Limits
from ingest.text import Problem, echo

REQUIRED_COLUMNS: tuple[str, ...] = ("unit_code", "year", "form", "subunit", "indicator", "value")
TARGET_CSV_COLUMNS: tuple[str, ...] = ("decision_number", "decision_date", "issuer", "year", "unit",
                                       "indicator", "comparator", "value")
# The kinds of long CSV, by header; the first is the one a header matching none is told about.
CSV_KINDS: dict[str, tuple[str, ...]] = {"report": REQUIRED_COLUMNS, "targets": TARGET_CSV_COLUMNS}
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvRecord:
    line: int  # 1-based physical line of the file where the record starts
    fields: dict[str, str]


@dataclass(frozen=True)
class CsvTable:
    encoding: str
    delimiter: str
    records: tuple[CsvRecord, ...]
    extra_columns: tuple[str, ...]
    kind: str = "report"  # a key of CSV_KINDS: which header the file has


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (BOM optional), UTF-16 with BOM, else Windows-1258; NFC."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("cp1258", data)]
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return unicodedata.normalize("NFC", text), encoding
    raise Problem("unreadable",
                  "không đọc được bảng mã của tệp (không phải UTF-8 hay Windows-1258); hãy lưu tệp "
                  "CSV với bảng mã UTF-8 rồi gửi lại", detail="undecodable CSV")


def _header_names(line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([line], delimiter=delimiter), [])
    return [name.strip().lstrip("\ufeff").strip().casefold() for name in row]


def read_csv(data: bytes, limits: Limits) -> CsvTable:
    """Decode and split a long-format CSV: a report, or a targets decision (`CsvTable.kind`).

    Raises Problem: missing_header, unreadable (encoding, field count, quoting), too_large.
    """
    text, encoding = decode(data)
    # Split lines the way the csv module will count them (\n, \r\n or \r), not str.splitlines,
    # which also breaks at characters such as U+2028 that may sit inside a field. Lazily: a list
    # of every line of a 50 MB file of short lines would take over a gigabyte.
    header_index, header_line = next(
        ((i, line.rstrip("\r\n")) for i, line in enumerate(io.StringIO(text, newline=""))
         if line.strip()), (None, ""))
    if header_index is None:
        raise Problem("unreadable", "tệp không có nội dung (chỉ có dòng trống)",
                      detail="blank CSV")
    delimiter = None
    names: list[str] = []
    kind = "report"
    closest, best_missing = kind, list(REQUIRED_COLUMNS)  # the header it is nearest to
    for candidate in _DELIMITERS:
        candidate_names = _header_names(header_line, candidate)
        for candidate_kind, required in CSV_KINDS.items():
            missing = [c for c in required if c not in candidate_names]
            if not missing:
                delimiter, names, kind = candidate, candidate_names, candidate_kind
                break
            if len(missing) / len(required) < len(best_missing) / len(CSV_KINDS[closest]):
                closest, best_missing = candidate_kind, missing
        if delimiter is not None:
            break
    where = f"dòng {header_index + 1}"
    expected = ",".join(CSV_KINDS[closest])
    if delimiter is None:
        if len(best_missing) < len(CSV_KINDS[closest]):
            what = (f"dòng tiêu đề thiếu cột {', '.join(best_missing)}; tiêu đề phải là "
                    f'"{expected}"')
        else:
            what = (f'dòng đầu tiên phải là tiêu đề "{expected}" '
                    f'(đọc được: "{echo(header_line)}")')
        raise Problem("missing_header", what, where, detail="CSV header not found")
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise Problem("missing_header", f"cột {', '.join(duplicated)} xuất hiện hai lần trong "
                                        f"dòng tiêu đề", where, detail="duplicate CSV columns")

    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    records: list[CsvRecord] = []
    cells = 0
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if start <= header_index + 1:
                continue  # blank lines before the header, and the header itself
            if not "".join(row).strip():  # every field blank (one string op, not one per field)
                continue
            if len(row) != len(names):
                raise Problem(
                    "unreadable",
                    f"dòng có {len(row)} cột trong khi tiêu đề có {len(names)} cột (kiểm tra dấu "
                    f'phân cách "{delimiter}" và dấu ngoặc kép quanh tên có dấu phẩy)',
                    f"dòng {start}", detail="CSV field count mismatch")
            # strict=False: the lengths were just checked, and the check costs per line.
            records.append(CsvRecord(start, dict(zip(names, row, strict=False))))
            cells += len(row)
            if len(records) > limits.max_rows or cells > limits.max_cells:
                raise Problem("too_large", f"tệp có quá nhiều dòng (giới hạn "
                                           f"{limits.max_rows:,} dòng)".replace(",", "."),
                              detail=f"CSV exceeds {limits.max_rows} rows / {limits.max_cells}")
    except csv.Error as exc:
        raise Problem("unreadable", "dòng không đọc được theo định dạng CSV (dấu ngoặc kép hoặc "
                                    "ký tự lạ)", f"dòng {reader.line_num}",
                      detail=f"csv.Error: {exc}") from exc
    extra = tuple(n for n in names if n not in CSV_KINDS[kind])
    return CsvTable(encoding, delimiter, tuple(records), extra, kind)


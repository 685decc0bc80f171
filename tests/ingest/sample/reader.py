"""A small reader of the sample's files, written here, independent of the generator.

Workbooks are read with python-calamine and CSV with the csv module, so the sample is judged
from the bytes it writes, not from the objects that wrote them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

from ingest.forms import FORM_COLUMNS, RATE_INDICATORS

BOM = b"\xef\xbb\xbf"


@dataclass
class Value:
    number: Decimal
    decimals: int  # digits printed after the decimal mark


@dataclass
class FormData:
    subunits: list[tuple[str, dict[str, Value]]] = field(default_factory=list)
    total: dict[str, Value] | None = None
    total_label: str | None = None

    def unit_total(self) -> dict[str, Decimal]:
        """The total row, or the sum of the sub-units when there is none (counts only)."""
        if self.total is not None:
            return {k: v.number for k, v in self.total.items()}
        out: dict[str, Decimal] = defaultdict(Decimal)
        for _, values in self.subunits:
            for k, v in values.items():
                if k not in RATE_INDICATORS:
                    out[k] += v.number
        return dict(out)


@dataclass
class Report:
    path: Path
    kind: str
    year: int
    unit_code: str | None  # as written ("Mã đơn vị" or the CSV column)
    unit_name: str | None
    report_date: date | None = None
    date_was_text: bool = False
    forms: dict[str, FormData] = field(default_factory=dict)
    sheet_names: tuple[str, ...] = ()
    not_numbers: list[str] = field(default_factory=list)  # raw texts that are no number


def to_value(raw: object) -> Value:
    if isinstance(raw, int | float):
        d = Decimal(repr(raw)).normalize()
        return Value(d, max(0, -d.as_tuple().exponent))  # type: ignore[operator]
    text = str(raw).strip().rstrip("%")
    if "," in text:  # Vietnamese decimal mark
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # Vietnamese thousands grouping
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(f"not a number: {raw!r}")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Value(Decimal(text), decimals)


def _form_of_sheet(name: str) -> str | None:
    key = name.strip().upper()
    key = key[len("BIỂU "):].strip() if key.startswith("BIỂU ") else key
    return key if key in FORM_COLUMNS else None


def read_xlsx(path: Path) -> Report:
    wb = CalamineWorkbook.from_path(str(path))
    meta: dict[str, object] = {}
    forms: dict[str, FormData] = {}
    not_numbers: list[str] = []
    for sheet in wb.sheet_names:
        form = _form_of_sheet(sheet)
        if form is None:
            continue
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = next(i for i, r in enumerate(rows) if str(r[0]).strip() == "(1)")
        for r in rows[:header]:
            cells = [c for c in r if c != ""]
            if len(cells) >= 2 and isinstance(cells[0], str) and cells[0].endswith(":"):
                meta.setdefault(cells[0].rstrip(":").strip(), cells[1])
        columns = {i: FORM_COLUMNS[form][int(str(c).strip("()"))]
                   for i, c in enumerate(rows[header]) if i > 0 and c != ""}
        data = FormData()
        for r in rows[header + 1:]:
            if all(c == "" for c in r):
                break
            values = {}
            for i, ind in columns.items():
                if r[i] != "":
                    try:
                        values[ind] = to_value(r[i])
                    except ValueError:
                        not_numbers.append(str(r[i]))
            label = str(r[0]).strip()
            if re.fullmatch(r"(?i)t(ổ|o)ng( c(ộ|o)ng| s(ố|o))?", label):
                data.total, data.total_label = values, label
            else:
                data.subunits.append((label, values))
        forms[form] = data
    raw_year = meta["Năm báo cáo"]
    year = int(raw_year) if isinstance(raw_year, float | int) else int(str(raw_year).split()[-1])
    raw_date = meta.get("Ngày lập báo cáo")
    report_date, date_was_text = None, False
    if isinstance(raw_date, datetime):
        report_date = raw_date.date()
    elif isinstance(raw_date, date):
        report_date = raw_date
    elif isinstance(raw_date, str):
        report_date, date_was_text = datetime.strptime(raw_date, "%d/%m/%Y").date(), True
    code = meta.get("Mã đơn vị")
    return Report(path, "xlsx", year, str(code) if code else None,
                  str(meta["Đơn vị báo cáo"]) if "Đơn vị báo cáo" in meta else None,
                  report_date, date_was_text, forms, tuple(wb.sheet_names), not_numbers)


def csv_text(path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8, else Windows-1258 (NFC-normalised)."""
    raw = path.read_bytes()
    if raw.startswith(BOM):
        return raw[len(BOM):].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", raw.decode("cp1258")), "cp1258"


def read_csv(path: Path) -> Report:
    text, _ = csv_text(path)
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    forms: dict[str, FormData] = {}
    subunit_values: dict[tuple[str, str], dict[str, Value]] = {}
    for r in rows:
        data = forms.setdefault(r["form"], FormData())
        if r["subunit"] == "":
            data.total = data.total or {}
            data.total[r["indicator"]] = to_value(r["value"])
        else:
            key = (r["form"], r["subunit"])
            if key not in subunit_values:
                subunit_values[key] = {}
                data.subunits.append((r["subunit"], subunit_values[key]))
            subunit_values[key][r["indicator"]] = to_value(r["value"])
    return Report(path, "csv", int(rows[0]["year"]), rows[0]["unit_code"], None, forms=forms)


def read(path: Path) -> Report:
    return read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)

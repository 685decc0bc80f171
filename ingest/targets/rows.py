"""The rows of a targets decision, checked the same way from a CHITIEU sheet or a CSV line.

A row names who (a unit code, or a unit type for every unit of that type in scope), which
indicator, the comparator ("trên" strictly above, "từ" at least) and a percentage. Each reader
hands the raw cells here with where they are ("biểu CHITIEU, ô B9", "dòng 7"); a problem
raises a Problem whose message tells the data team what to fix (report-format.md, "Targets").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.fields import cell_text
from ingest.forms import TARGET_INDICATOR_LABELS, TARGET_INDICATORS
from ingest.identity import UNIT_TYPE_VI, normalise_unit_code, resolve_unit_code, resolve_unit_name
from ingest.model import TargetRow
from ingest.numbers import NumberError, ParsedNumber, parse_number
from ingest.reference import Registry
from ingest.text import Problem, echo, is_blank, normalise_key

UNIT_TYPES = ("STP", "THADS")
INDICATORS_LISTED = ", ".join(TARGET_INDICATORS)
_COMPARATOR_KEYS = {"tren": "trên", "tu": "từ", "tu tro len": "từ", "tro len": "từ"}
_COMPARATOR_SYMBOLS = {">": "trên", ">=": "từ", "≥": "từ", "=>": "từ"}
_INSTEAD = "quyết định giao chỉ tiêu phải ghi"  # the successor of a unit merged away


def target_unit(registry: Registry, raw: object, year: int, where: str) -> tuple[str, str]:
    """(unit, unit type) of column (1): a unit type ("THADS", "stp") stands for every unit of
    that type in scope; otherwise a unit code, or a unit's name, valid in `year` (a decision
    for 2025 names the successors of the units merged on 1 July 2025)."""
    if is_blank(raw):
        raise Problem("unit_missing", "cột (1) (mã đơn vị) để trống", where, year=year)
    text = cell_text(raw)
    if normalise_key(text).upper() in UNIT_TYPES:
        unit_type = normalise_key(text).upper()
        return unit_type, unit_type
    if normalise_unit_code(text) is not None or not registry.name_candidates(text):
        unit = resolve_unit_code(registry, text, year, where, _INSTEAD)
    else:  # a unit's name in the code column, as reports accept it
        unit = resolve_unit_name(registry, text, year, where, _INSTEAD)
    return unit.unit_code, unit.unit_type


def target_indicator(raw: object, unit: str, unit_type: str, where: str) -> str:
    """The indicator code of column (2), which must be one of the unit type's."""
    if is_blank(raw):
        raise Problem("unknown_indicator", f"cột (2) (chỉ tiêu) để trống; ghi một trong "
                                           f"{INDICATORS_LISTED}", where)
    code = "_".join(normalise_key(raw).split())
    if code not in TARGET_INDICATORS:
        raise Problem("unknown_indicator", f'chỉ tiêu "{echo(raw)}" không đúng; phải là một '
                                           f"trong {INDICATORS_LISTED}", where)
    if TARGET_INDICATORS[code] != unit_type:
        own = ", ".join(c for c, t in TARGET_INDICATORS.items() if t == unit_type)
        subject = unit if unit == unit_type else f"đơn vị {unit}"
        raise Problem("indicator_not_for_unit",
                      f"chỉ tiêu {code} ({TARGET_INDICATOR_LABELS[code]}) là chỉ tiêu của "
                      f"{UNIT_TYPE_VI[TARGET_INDICATORS[code]]}; {subject} là "
                      f"{UNIT_TYPE_VI[unit_type]}, chỉ được giao {own}", where)
    return code


def target_comparator(raw: object, where: str) -> str:
    """"trên" (strictly above) or "từ" (at least), as column (3) writes it ("Trên", "tu",
    "từ … trở lên", ">", "≥")."""
    text = "" if is_blank(raw) else str(raw).strip()
    found = _COMPARATOR_SYMBOLS.get(text) or _COMPARATOR_KEYS.get(normalise_key(text))
    if found is None:
        shown = "để trống" if not text else f'"{echo(raw)}" không đúng'
        raise Problem("unknown_comparator", f"cột (3) (so sánh) {shown}; ghi \"trên\" (cao hơn "
                                            f'hẳn) hoặc "từ" (bằng hoặc cao hơn)', where)
    return found


def target_value(raw: object, where: str) -> ParsedNumber:
    """The percentage of column (4), 0 to 100: a number, or text such as "81,5" or "81,50%".

    A number cell from 0 to 1 (not 0) is refused: Excel stores a cell typed "81,50%" as
    0,815, so the same cell could mean 0,815% or 81,5%; the message says how to write it.
    """
    if is_blank(raw):
        raise Problem("not_a_percentage", "cột (4) (giá trị %) để trống", where)
    try:
        number = parse_number(raw)
    except NumberError as exc:
        raise Problem("not_a_number", f'giá trị "{echo(raw)}" không phải là số', where,
                      detail=f"{where}: {exc.detail}") from exc
    if not 0 <= number.value <= 100:
        raise Problem("not_a_percentage", f'giá trị "{echo(raw)}" không phải tỷ lệ phần trăm '
                                          f"từ 0 đến 100", where)
    if isinstance(raw, (int, float)) and 0 < number.value <= 1:
        shown, hundredfold = echo(raw), echo(round(number.value * 100, 10))
        raise Problem("not_a_percentage",
                      f"giá trị {shown} không rõ là {shown}% hay {hundredfold}% (ô định dạng phần "
                      f"trăm lưu 81,50% thành 0,815); hãy ghi số phần trăm, ví dụ 81,5 hoặc "
                      f'"81,50%" dạng chữ', where)
    return number


@dataclass
class TargetRows:
    """The rows of one decision as they are read; the same unit and indicator twice is
    refused, naming both places."""

    rows: list[TargetRow] = field(default_factory=list)
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, registry: Registry, year: int, cells: tuple[object, object, object, object],
            wheres: tuple[str, str, str, str], source_cell: str, place: str) -> None:
        """Check one row's four cells (unit, indicator, comparator, value), each with where
        it is; `place` names the row in a duplicate's message ("dòng 9")."""
        unit, unit_type = target_unit(registry, cells[0], year, wheres[0])
        indicator = target_indicator(cells[1], unit, unit_type, wheres[1])
        comparator = target_comparator(cells[2], wheres[2])
        number = target_value(cells[3], wheres[3])
        key = (unit, indicator)
        if key in self._seen:
            who = (f"các {UNIT_TYPE_VI[unit_type]} ({unit})" if unit == unit_type
                   else f"đơn vị {unit}")
            raise Problem("duplicate_indicator", f"chỉ tiêu {indicator} của {who} đã có ở "
                                                 f"{self._seen[key]}", wheres[0])
        self._seen[key] = place
        self.rows.append(TargetRow(unit, unit_type, indicator, comparator, number.value,
                                   number.decimals, source_cell))

"""One year's targets and results as the cluster reads them at its review, in Vietnamese.

Per indicator, one line per unit: the target as the decision writes it ("trên 81,50%"), the
rate recomputed from the unit's counts, the margin in percentage points and the verdict
(Đạt / Không đạt / Chưa có số liệu). Numbers the Vietnamese way (ingest.vn_format), rounded
half away from zero; when 2 decimals would print a rate equal to its target although the
verdict is decided on the unrounded rate (81,504% is above "trên 81,50%"), more decimals are
shown, so what is printed never contradicts the verdict. Pure: rows in, text out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ingest.forms import TARGET_INDICATOR_LABELS, TARGET_INDICATORS
from ingest.vn_format import format_number, format_percent
from orchestration.targets.read import Decision, YearTargets

VERDICTS = {True: "Đạt", False: "Không đạt", None: "Chưa có số liệu"}
MAX_DECIMALS = 6
HEADERS = ("Đơn vị", "Chỉ tiêu", "Kết quả", "Chênh lệch (điểm %)", "Đánh giá")
UNIT_TYPE_NAMES = {"THADS": "cơ quan thi hành án dân sự", "STP": "Sở Tư pháp"}
UNIT_TYPE_SUBJECTS = {"THADS": "Cơ quan thi hành án dân sự", "STP": "Sở Tư pháp"}
# The form each targeted rate is computed from (an open error on it marks the result).
INDICATOR_FORMS = {"case_resolution_rate": "THADS_VIEC", "money_resolution_rate": "THADS_TIEN",
                   "success_rate": "HOAGIAI"}
OWN, ERROR = "*", "†"


def shown_decimals(actual: float, target: float, decimals: int = 2) -> int:
    """Decimals to print `actual` with beside `target`: 2, or more while the two would print
    alike although they differ."""
    while (decimals < MAX_DECIMALS and actual != target
           and format_number(actual, decimals) == format_number(target, decimals)):
        decimals += 1
    return decimals


def _signed(value: float, decimals: int) -> str:
    text = format_number(value, decimals)
    return text if text.startswith("-") else f"+{text}"


def row_cells(row: Mapping[str, Any], *, open_error: bool = False
              ) -> tuple[str, str, str, str, str]:
    """(unit, target, actual, margin, verdict) of one row of fct_target_achievement; a unit's
    own target is marked *, a result resting on figures with an open error †."""
    target = float(row["target"])
    own = OWN if row["target_level"] == "unit" else " "
    target_text = (f"{row['comparator']} {format_percent(target, int(row['target_decimals']))}"
                   f" {own}")
    unit = row["unit_display_name"] or row["unit_code"]
    if row["actual"] is None:
        return unit, target_text, "—  ", "—", VERDICTS[None]
    actual = float(row["actual"])
    places = shown_decimals(actual, target)
    return (unit, target_text, f"{format_percent(actual, places)} {ERROR if open_error else ' '}",
            _signed(float(row["margin"]), places), VERDICTS[bool(row["achieved"])])


def _decision_line(decision: Decision) -> str:
    text = f"số {decision.number}"
    if decision.day is not None:
        text += f" ngày {decision.day:%d/%m/%Y}"
    if decision.issuer:
        text += f" của {decision.issuer}"
    return text


def _decisions(decisions: Sequence[Decision]) -> list[str]:
    lines = []
    for unit_type in ("THADS", "STP"):
        of_type = [d for d in decisions if d.unit_type == unit_type]
        in_force = [d for d in of_type if d.in_force]
        if not in_force:
            continue
        lines.append(f"Chỉ tiêu của các {UNIT_TYPE_NAMES[unit_type]}: quyết định "
                     f"{_decision_line(in_force[0])}")
        lines += [f"  (thay thế quyết định {_decision_line(d)})"
                  for d in of_type if not d.in_force]
    return lines


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    aligned = ("<", ">", ">", ">", "<")  # text left, figures right

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(f"{c:{a}{w}}" for c, a, w in
                                zip(cells, aligned, widths, strict=True)).rstrip()

    return [line(HEADERS), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _reached_all(rows: Sequence[Mapping[str, Any]], unit_type: str) -> str | None:
    """"Đạt tất cả chỉ tiêu: 5/7 đơn vị" for the units of a type; None when none has one."""
    units: dict[str, list[Any]] = {}
    for row in rows:
        if row["unit_type"] == unit_type:
            units.setdefault(row["unit_code"], []).append(row["achieved"])
    if not units:
        return None
    reached = sum(1 for verdicts in units.values() if all(v is True for v in verdicts))
    return (f"{UNIT_TYPE_SUBJECTS[unit_type]} đạt và vượt tất cả chỉ tiêu được giao: "
            f"{reached}/{len(units)} đơn vị")


def _all_cells(targets: YearTargets) -> list[tuple[str, ...]]:
    return [row_cells(r, open_error=(r["unit_code"], INDICATOR_FORMS[r["indicator"]])
                      in targets.open_errors) for r in targets.rows]


def format_year(targets: YearTargets) -> str:
    """The year's printout: the decisions in force, then one table per indicator."""
    lines = [f"CHỈ TIÊU VÀ KẾT QUẢ THỰC HIỆN NĂM {targets.year}", *_decisions(targets.decisions)]
    for indicator in TARGET_INDICATORS:
        rows = [r for r in targets.rows if r["indicator"] == indicator]
        if not rows:
            continue
        form = INDICATOR_FORMS[indicator]
        cells = [row_cells(r, open_error=(r["unit_code"], form) in targets.open_errors)
                 for r in rows]
        lines += ["", f"{TARGET_INDICATOR_LABELS[indicator].capitalize()}:", *_table(cells)]
    lines.append("")
    if any(r["target_level"] == "unit" for r in targets.rows):
        lines.append(f"{OWN} chỉ tiêu riêng của đơn vị; các đơn vị khác theo chỉ tiêu chung.")
    if any(cells[2].endswith(ERROR) for cells in _all_cells(targets)):
        lines.append(f"{ERROR} số liệu của đơn vị đang có lỗi chưa được xử lý (tuphap issues "
                     f"--year {targets.year} --severity error): kết quả chưa đáng tin cậy.")
    lines.append("Kết quả tính lại từ số liệu báo cáo của đơn vị; chênh lệch = kết quả − chỉ "
                 "tiêu, tính bằng điểm phần trăm.")
    lines += [s for s in (_reached_all(targets.rows, t) for t in ("THADS", "STP")) if s]
    return "\n".join(lines)

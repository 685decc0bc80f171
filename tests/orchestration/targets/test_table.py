"""`tuphap targets`' printout (orchestration/targets/table.py): Vietnamese numbers, the verdicts,
and never a printed rate that contradicts its verdict."""

from __future__ import annotations

from datetime import date
from typing import Any

from orchestration.targets.read import Decision, YearTargets
from orchestration.targets.table import format_year, row_cells, shown_decimals


def row(unit: str, indicator: str, target: float, actual: float | None, achieved: bool | None,
        *, comparator: str = "trên", decimals: int = 2, level: str = "unit_type",
        unit_type: str = "THADS") -> dict[str, Any]:
    return {"unit_code": unit, "unit_type": unit_type, "province_code": unit[-2:],
            "unit_display_name": f"Đơn vị {unit}", "indicator": indicator,
            "comparator": comparator, "target": target, "target_decimals": decimals,
            "target_level": level, "actual": actual,
            "margin": None if actual is None else actual - target, "achieved": achieved,
            "decision_number": "1/QĐ", "decision_date": date(2021, 10, 8), "issuer": "X"}


def test_a_row_the_vietnamese_way() -> None:
    assert row_cells(row("THADS-02", "case_resolution_rate", 81.5, 91.46746, True)) == (
        "Đơn vị THADS-02", "trên 81,50%  ", "91,47%  ", "+9,97", "Đạt")
    own = row_cells(row("THADS-10", "case_resolution_rate", 88.0, 87.926, False, level="unit"),
                    open_error=True)
    assert own == ("Đơn vị THADS-10", "trên 88,00% *", "87,93% †", "-0,07", "Không đạt")
    assert row_cells(row("STP-04", "success_rate", 85, None, None, comparator="từ",
                         decimals=0, unit_type="STP"))[1:] == (
        "từ 85%  ", "—  ", "—", "Chưa có số liệu")


def test_a_rate_just_above_its_target_is_not_printed_equal_to_it() -> None:
    assert shown_decimals(81.504, 81.5) == 3
    assert shown_decimals(81.5, 81.5) == 2  # exactly on it: equal, and printed equal
    assert shown_decimals(81.4999, 81.5) == 4
    cells = row_cells(row("THADS-11", "case_resolution_rate", 81.5, 81.504, True))
    assert cells[2:] == ("81,504%  ", "+0,004", "Đạt")


def test_the_year_printout() -> None:
    targets = YearTargets(2024, [
        row("THADS-02", "case_resolution_rate", 82.5, 89.27, True),
        row("THADS-10", "case_resolution_rate", 86.5, 86.97, True, level="unit"),
        row("THADS-02", "money_resolution_rate", 41.0, 50.32, True),
        row("THADS-10", "money_resolution_rate", 41.0, 40.21, False),
    ], [Decision("THADS", "1688/QĐ-TCTHADS", date(2024, 3, 15), "Tổng cục THADS", "b.xlsx",
                 True),
        Decision("THADS", "1188/QĐ-TCTHADS", date(2023, 10, 3), "Tổng cục THADS", "a.xlsx",
                 False)], frozenset({("THADS-10", "THADS_TIEN")}))
    text = format_year(targets)
    lines = text.splitlines()
    assert lines[:3] == [
        "CHỈ TIÊU VÀ KẾT QUẢ THỰC HIỆN NĂM 2024",
        "Chỉ tiêu của các cơ quan thi hành án dân sự: quyết định số 1688/QĐ-TCTHADS ngày"
        " 15/03/2024 của Tổng cục THADS",
        "  (thay thế quyết định số 1188/QĐ-TCTHADS ngày 03/10/2023 của Tổng cục THADS)"]
    assert "Tỷ lệ giải quyết xong về việc:" in lines and "Tỷ lệ giải quyết xong về tiền:" in lines
    assert any("40,21% †" in line and line.endswith("Không đạt") for line in lines)
    assert lines[-1] == ("Cơ quan thi hành án dân sự đạt và vượt tất cả chỉ tiêu được giao:"
                         " 1/2 đơn vị")
    assert "* chỉ tiêu riêng của đơn vị; các đơn vị khác theo chỉ tiêu chung." in lines
    assert any(line.startswith("† số liệu của đơn vị đang có lỗi") for line in lines)

"""The same report as .xlsx, .ods and .xls reads to the same submissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ingest.model import ParseResult
from tests.ingest.builders import report_grid, write_ods, write_xls, write_xlsx

WRITERS = {"xlsx": write_xlsx, "ods": write_ods, "xls": write_xls}


def _sheets() -> dict[str, object]:
    viec = report_grid(
        "THADS_VIEC",
        [("Phòng THADS khu vực 1", {"carried_over": 1200, "new": "2.345", "accepted": 3545,
                                    "eligible": 3000, "resolved": 2690, "resolution_rate": 89.67}),
         ("Phòng THADS khu vực 2", {"carried_over": 800, "new": 900, "accepted": 1700}),
         ("Tổng cộng", {"carried_over": 2000, "new": 3245, "accepted": 5245,
                        "resolution_rate": "89,68%"})],
        unit_name="Cục Thi hành án dân sự tỉnh Điện Biên", unit_code="THADS-11", year="Năm 2022",
        report_date=date(2022, 10, 20), pad=1,
    )
    tien = report_grid("THADS_TIEN", [("Tổng cộng", {"accepted": 1_826_513})], metadata=False)
    return {"Hướng dẫn": [["Biểu mẫu theo Thông tư"]], "THADS_VIEC": viec, "Biểu THADS_TIEN": tien}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_kinds_read_alike(tmp_path: Path, parse: Callable[..., ParseResult], kind: str) -> None:
    path = WRITERS[kind](tmp_path / f"bao_cao.{kind}", _sheets())
    result = parse(path)
    assert result.rejection is None, result.rejection
    assert result.file_kind == kind
    reference = parse(write_xlsx(tmp_path / "ref.xlsx", _sheets()))
    assert result.submissions == reference.submissions
    viec, tien = result.submissions
    assert (viec.unit_code, viec.year, viec.report_date) == ("THADS-11", 2022, date(2022, 10, 20))
    assert tien.sheet_name == "Biểu THADS_TIEN" and tien.report_date == date(2022, 10, 20)
    rates = {v.subunit: (v.value, v.decimals) for v in viec.values
             if v.indicator == "resolution_rate"}
    assert rates == {"Phòng THADS khu vực 1": (89.67, 2), None: (89.68, 2)}
    cells = {v.indicator: v.source_cell for v in viec.values
             if v.subunit == "Phòng THADS khu vực 1"}
    assert cells["carried_over"] == "THADS_VIEC!C10"  # one padding column: column (2) is C

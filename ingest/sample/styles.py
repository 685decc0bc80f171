"""The styles units send their reports in: hand-picked for the cluster, drawn for the nation.

The cluster's units get hand-picked styles, so the demo shows each variant on purpose (one
workbook or one per form, CSV exports, total rows or none, names written in different ways);
at national scale a style is drawn from a seeded generator per unit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date

from ingest.sample.figures import SEED, UnitRow
from ingest.sample.reports import UnitStyle
from ingest.sample.writers import CsvDialect, Layout

_PER_FORM = "{year}_{code}_{form}.{ext}"
CLUSTER_STYLES: dict[str, UnitStyle] = {
    "STP-02": UnitStyle(
        layout=Layout(agency_header=("UBND TỈNH HÀ GIANG", "SỞ TƯ PHÁP"), instructions="last",
                      preparer="Vàng Thị Mai", head="Hoàng Văn Chiến"),
        report_day=18),
    "THADS-02": UnitStyle(
        kind="xlsx_per_form", total_label="TỔNG SỐ", name="{display}", include_code=False,
        layout=Layout(date_as_text=True, year_as_text=True, meta_gap=2,
                      preparer="Lù Văn Sáng", head="Nguyễn Đức Thịnh"),
        file_name=_PER_FORM, form_slugs={"THADS_VIEC": "bieu-viec", "THADS_TIEN": "bieu-tien"},
        report_day=7),
    # Excel in a Vietnamese locale: ';', Windows-1258, figures written the Vietnamese way.
    "STP-04": UnitStyle(
        kind="csv", csv=CsvDialect(delimiter=";", encoding="cp1258", vn_numbers=True,
                                   line_terminator="\r\n")),
    "THADS-04": UnitStyle(
        breakdown="total", name="Cục THA DS {kind} {base}", ascii_name=True,
        layout=Layout(sheet_prefix="Biểu ", rate_decimals=0, preparer="Nông Thị Lan",
                      head="Đàm Văn Hưng"),
        report_day=12),
    "STP-10": UnitStyle(
        breakdown="subunits", name="STP {base}", include_code=False,
        layout=Layout(label_variant=True, omit=frozenset({"success_rate"}),
                      preparer="Phạm Thị Thu", head="Trần Quốc Bảo"),
        report_day=20),
    # A machine export: ',', UTF-8 with BOM, plain figures. The new Lào Cai (15) keeps it.
    "THADS-10": UnitStyle(
        kind="csv", csv=CsvDialect(delimiter=",", encoding="utf-8-sig"),
        file_name="{year}_{code}_xuat-du-lieu.{ext}"),
    "STP-11": UnitStyle(
        kind="xlsx_per_form", breakdown="total", ascii_name=True,
        layout=Layout(rate_decimals=0, preparer="Lò Thị Hương", head="Cầm Văn Đoàn"),
        file_name=_PER_FORM, report_day=16),
    "THADS-11": UnitStyle(
        layout=Layout(group_header=True, preparer="Quàng Văn Dũng", head="Lường Thị Mai"),
        report_day=9),
    "STP-12": UnitStyle(
        name="Sở Tư pháp {base}", include_code=False,
        layout=Layout(date_as_text=True, preparer="Tẩn Thị Dung", head="Vương Văn Thành"),
        report_day=22),
    "THADS-12": UnitStyle(
        breakdown="subunits", name="THA DS {kind} {base}",
        layout=Layout(label_variant=True, meta_col=2, preparer="Lê Văn Phong",
                      head="Lò Văn Ngoan"),
        report_day=11),
    "STP-14": UnitStyle(
        total_label="TỔNG SỐ", name="Sở TP {kind} {base}", include_code=False,
        layout=Layout(numbers_as_text=True, rate_percent_sign=True, year_as_text=True,
                      date_as_text=True, preparer="Cầm Thị Ngọc", head="Nguyễn Văn Lâm"),
        report_day=14),
    "THADS-14": UnitStyle(
        kind="xlsx_per_form", breakdown="total", name="Cục THADS {base}",
        layout=Layout(preparer="Hà Văn Toàn", head="Đinh Thị Hồng"),
        file_name="{year}_{code}_{slug}_{form}.{ext}",
        form_slugs={"THADS_VIEC": "viec", "THADS_TIEN": "tien"}, report_day=8),
    "STP-20": UnitStyle(
        total_label="Tổng",
        layout=Layout(agency_header=("UBND TỈNH LẠNG SƠN", "SỞ TƯ PHÁP"), instructions="first",
                      preparer="Hoàng Thị Thanh", head="Lý Văn Hoàng"),
        report_day=19),
    "THADS-20": UnitStyle(
        name="Cục Thi hành án dân sự {base}", include_code=False,
        layout=Layout(group_header=True, instructions="last", preparer="Vi Văn Khánh",
                      head="Chu Thị Hằng"),
        report_day=13),
    # The successors that report from 2025 (domain.md).
    "STP-08": UnitStyle(breakdown="total", layout=Layout(preparer="Ma Thị Hiền"),
                        file_name="{year}_{code}_{slug}.{ext}", report_day=17),
    "THADS-08": UnitStyle(name="{display}", layout=Layout(preparer="Nguyễn Văn Hải"),
                          report_day=10),
    # No "Mã đơn vị": "Lào Cai" must resolve to province 15 because the year is 2025.
    "STP-15": UnitStyle(breakdown="total", include_code=False,
                        layout=Layout(preparer="Phạm Thị Thu"), report_day=20),
}
CLUSTER_STYLES["THADS-15"] = CLUSTER_STYLES["THADS-10"]


# One STP unit sends a preliminary 2023 report (cut at 30 November) and then the official one.
@dataclass(frozen=True)
class Preliminary:
    unit_code: str
    year: int
    preliminary_date: date  # the report cut at 30 November
    official_date: date  # the official report, which replaces it


PRELIMINARY = Preliminary("STP-12", 2023, date(2023, 11, 30), date(2024, 1, 15))


def national_style(unit: UnitRow) -> UnitStyle:
    """A style drawn for one unit (same unit, same style), ~70% workbooks and ~30% CSV."""
    rng = random.Random(f"{SEED}:style:{unit.unit_code}")
    pick = rng.random()
    total_label = rng.choice(("Tổng cộng", "Tổng cộng", "TỔNG SỐ", "Tổng"))
    name = rng.choice(("{official}", "{official}", "{display}"))
    layout = Layout(
        date_as_text=rng.random() < 0.5, year_as_text=rng.random() < 0.3,
        label_variant=rng.random() < 0.3, numbers_as_text=rng.random() < 0.15,
        rate_decimals=0 if rng.random() < 0.05 else 2,
        instructions=rng.choice((None, None, None, "first", "last")),
        sheet_prefix=rng.choice(("", "", "", "Biểu ")))
    day = rng.randint(5, 14) if unit.unit_type == "THADS" else rng.randint(10, 28)
    if pick < 0.35:
        return UnitStyle(kind="xlsx", total_label=total_label, name=name, layout=layout,
                         report_day=day)
    if pick < 0.70:
        return UnitStyle(kind="xlsx_per_form", total_label=total_label, name=name,
                         layout=layout, file_name=_PER_FORM, report_day=day)
    if pick < 0.85:
        dialect = CsvDialect(delimiter=";", encoding="cp1258", vn_numbers=True,
                             line_terminator="\r\n")
    elif pick < 0.93:
        dialect = CsvDialect(delimiter=",", encoding="utf-8-sig")
    else:
        dialect = CsvDialect(delimiter=",", encoding="utf-8")
    return UnitStyle(kind="csv", csv=dialect, report_day=day)


def with_layout(style: UnitStyle, **changes: object) -> UnitStyle:
    return replace(style, layout=replace(style.layout, **changes))  # type: ignore[arg-type]

"""Which files each unit sends and how they look: styles, names, manifest entries.

Real units differ: most send one workbook with both forms, some one workbook per form, two
send CSV exports; some break figures down by sub-unit with a total row, some without a total
row, some send only the total; they write their own name in their own way (official name,
short form, no diacritics). The cluster's units get hand-picked styles (so the demo shows each
variant on purpose); at national scale styles are drawn from a seeded generator per unit.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ingest.sample.generator import (
    SEED,
    ProvinceRow,
    Reference,
    UnitRow,
    UnitYear,
)
from ingest.sample.writers import (
    Block,
    CsvDialect,
    Layout,
    Row,
    WorkbookReport,
    write_csv,
    write_xlsx,
)


@dataclass(frozen=True)
class SampleFile:
    """One written file, and what a loader should make of it."""

    file_name: str
    unit_code: str | None  # None when the file's unit is not in the register
    year: int
    forms: tuple[str, ...]
    kind: str  # "xlsx" | "csv"
    flawed: bool = False
    why: str | None = None  # for flawed files: what is wrong, in English
    expected_rejection: str | None = None  # parser rejection code, for unloadable files
    expected_rules: tuple[str, ...] = ()  # quality rules a loadable flawed file should trip
    report_date: date | None = None  # "Ngày lập báo cáo" as written, when there is one
    note: str | None = None  # e.g. "preliminary report, superseded by …"


@dataclass(frozen=True)
class UnitStyle:
    """How one unit sends its yearly report."""

    kind: str = "xlsx"  # "xlsx" (forms in one workbook) | "xlsx_per_form" | "csv"
    breakdown: str = "subunits_total"  # | "subunits" (no total row) | "total" (total only)
    total_label: str = "Tổng cộng"
    # Unit name template: {official}, {display}, {kind} ("tỉnh"), {base} ("Lào Cai")
    name: str = "{official}"
    ascii_name: bool = False  # the officer typed without diacritics
    include_code: bool = True  # writes the "Mã đơn vị" line
    layout: Layout = field(default_factory=Layout)
    csv: CsvDialect | None = None
    file_name: str = "{year}_{code}_{slug}.{ext}"  # {form} for one file per form
    form_slugs: dict[str, str] | None = None  # {form}: a unit's own file-name word per form
    report_day: int = 10  # day of the month of "Ngày lập báo cáo"


def ascii_fold(text: str) -> str:
    """'Sở Tư pháp tỉnh Điện Biên' -> 'So Tu phap tinh Dien Bien'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    """'Bà Rịa - Vũng Tàu' -> 'Ba-Ria-Vung-Tau' (file names stay ASCII)."""
    return "-".join(ascii_fold(text).replace("-", " ").split())


def unit_name_written(style: UnitStyle, unit: UnitRow, province: ProvinceRow) -> str:
    name = style.name.format(official=unit.unit_name, display=unit.display_name,
                             kind=province.kind, base=province.base_name)
    return ascii_fold(name) if style.ascii_name else name


def report_date(unit_type: str, year: int, style: UnitStyle) -> date:
    """STP reports the calendar year in December; THADS its year to 30 September in October."""
    if unit_type == "THADS":
        return date(year, 10, style.report_day)
    return date(year, 12, style.report_day)


def period_text(unit_type: str, year: int, end: date | None = None) -> str:
    if unit_type == "THADS":
        return f"(Từ ngày 01/10/{year - 1} đến ngày 30/9/{year})"
    end = end or date(year, 12, 31)
    return f"(Từ ngày 01/01/{year} đến ngày {end.strftime('%d/%m/%Y')})"


def blocks_for(uy: UnitYear, style: UnitStyle) -> tuple[Block, ...]:
    """The tables of a unit-year as this unit lays them out (sub-units, total row or both)."""
    blocks = []
    for form, table in uy.tables.items():
        rows: list[Row] = []
        if style.breakdown in ("subunits", "subunits_total"):
            rows += [Row(name, counts) for name, counts in zip(table.subunits, table.rows(),
                                                                strict=True)]
        if style.breakdown in ("total", "subunits_total"):
            rows.append(Row(style.total_label, table.total(), is_total=True))
        blocks.append(Block(form, tuple(rows)))
    return tuple(blocks)


def emit(out_dir: Path, ref: Reference, uy: UnitYear, style: UnitStyle, *,
         blocks: tuple[Block, ...] | None = None, file_name: str | None = None,
         day: date | None = None, period: str | None = None, write_only: bool = False,
         overrides: dict[tuple[str, int, str], str] | None = None,
         unit_name: str | None = None, **entry: object) -> list[SampleFile]:
    """Write one unit-year the way `style` says; return the manifest entries."""
    blocks = blocks if blocks is not None else blocks_for(uy, style)
    unit = ref.unit(uy.unit_type, uy.province_code, uy.year)
    province = ref.province(uy.province_code, uy.year)
    overrides = overrides or {}
    fields = {"year": uy.year, "code": uy.unit_code, "slug": slug(province.base_name)}
    out: list[SampleFile] = []
    if style.kind == "csv":
        assert style.csv is not None
        name = file_name or style.file_name.format(**fields, ext="csv")
        write_csv(out_dir / name, uy.unit_code, uy.year, blocks, style.csv, overrides)
        out.append(SampleFile(name, uy.unit_code, uy.year, tuple(b.form for b in blocks), "csv",
                              **entry))  # type: ignore[arg-type]
        return out
    groups = [blocks] if style.kind == "xlsx" else [(b,) for b in blocks]
    day = day or report_date(uy.unit_type, uy.year, style)
    for group in groups:
        form_word = (style.form_slugs or {}).get(group[0].form, group[0].form)
        name = file_name or style.file_name.format(**fields, ext="xlsx", form=form_word)
        report = WorkbookReport(
            unit_name=unit_name or unit_name_written(style, unit, province),
            unit_code=uy.unit_code if style.include_code else None,
            year=uy.year, report_date=day, blocks=tuple(group), layout=style.layout,
            period=period or period_text(uy.unit_type, uy.year), overrides=overrides)
        write_xlsx(out_dir / name, report, write_only=write_only)
        out.append(SampleFile(name, uy.unit_code, uy.year, tuple(b.form for b in group), "xlsx",
                              report_date=day, **entry))  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------- the cluster

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


# --------------------------------------------------------------------------- national

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

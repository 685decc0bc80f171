"""Which files a unit sends and how they look, given its style: names, files, manifest entries.

Real units differ: most send one workbook with both forms, some one workbook per form, two
send CSV exports; some break figures down by sub-unit with a total row, some without a total
row, some send only the total; they write their own name in their own way (official name,
short form, no diacritics). The styles themselves are in styles.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest.sample.figures import (
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

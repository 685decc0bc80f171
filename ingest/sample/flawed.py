"""Deliberately flawed files, so a demo load shows rejections and quality issues.

Two kinds, all named with the prefix "LOI_" (lỗi: error):
- unloadable: the parser must reject the whole file with the stated code;
- loadable but wrong: a later correction whose figures break a quality rule. They never touch
  2022, so the cluster's 2022 totals still equal the published figures.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import replace
from datetime import date
from pathlib import Path

from ingest.sample.figures import SEED, FigureModel, Reference, UnitYear, split_table
from ingest.sample.reports import SampleFile, UnitStyle, blocks_for, emit
from ingest.sample.styles import CLUSTER_STYLES, with_layout
from ingest.sample.writers import Block, CsvDialect, Layout, Row

# Districts of Hà Tây, a province merged into Hà Nội in 2008: its units are in no register.
_HA_TAY_DISTRICTS = ("Thành phố Hà Đông", "Thị xã Sơn Tây", "Huyện Ba Vì", "Huyện Phúc Thọ",
                     "Huyện Đan Phượng", "Huyện Hoài Đức", "Huyện Quốc Oai", "Huyện Thạch Thất",
                     "Huyện Chương Mỹ", "Huyện Thanh Oai", "Huyện Thường Tín", "Huyện Phú Xuyên",
                     "Huyện Ứng Hòa", "Huyện Mỹ Đức")


def write_flawed(out_dir: Path, ref: Reference, model: FigureModel, *, scale: str,
                 years: Collection[int]) -> list[SampleFile]:
    """Write the flawed files whose year is in `years`; return their manifest entries."""
    out: list[SampleFile] = []
    for year, writer in ((2024, _not_a_number), (2023, _unknown_unit), (2022, _out_of_scope),
                         (2024, _negative), (2024, _resolved_above_eligible),
                         (2023, _total_differs)):
        if year in years:
            out += writer(out_dir, ref, model, scale)
    return out


def _not_a_number(out_dir: Path, ref: Reference, model: FigureModel,
                  scale: str) -> list[SampleFile]:
    uy = model.unit_year("STP-20", 2024)
    style = CLUSTER_STYLES["STP-20"]
    return emit(
        out_dir, ref, uy, style, file_name="LOI_2024_STP-20_Lang-Son_o-chu-12a.xlsx",
        day=date(2025, 1, 5), overrides={("PBGDPL", 2, "sessions"): "12a"},
        flawed=True, expected_rejection="not_a_number",
        why=("A re-sent 2024 report with a typo: on sheet PBGDPL the sessions cell of the third "
             "district's row holds '12a', which is not a number; the whole file must be "
             "rejected."))


def _unknown_unit(out_dir: Path, ref: Reference, model: FigureModel,
                  scale: str) -> list[SampleFile]:
    # Figures shaped like a real STP report, spread over Hà Tây's old districts.
    template = model.unit_year("STP-14", 2023)
    rng = random.Random(f"{SEED}:flawed:ha-tay")
    weights = [rng.uniform(0.6, 1.6) for _ in _HA_TAY_DISTRICTS]
    tables = {form: split_table(form, t.total_atoms(), _HA_TAY_DISTRICTS, weights, rng)
              for form, t in template.tables.items()}
    fake = UnitYear("STP-14", "STP", "14", 2023, tables)  # unit code is not written
    style = UnitStyle(include_code=False,
                      layout=Layout(agency_header=("UBND TỈNH HÀ TÂY", "SỞ TƯ PHÁP"),
                                    preparer="Đỗ Thị Hạnh"))
    files = emit(
        out_dir, ref, fake, style, file_name="LOI_2023_So-Tu-phap-Ha-Tay.xlsx",
        unit_name="Sở Tư pháp tỉnh Hà Tây", day=date(2023, 12, 15),
        flawed=True, expected_rejection="unit_unknown",
        why=("Unit 'Sở Tư pháp tỉnh Hà Tây' is in no register (Hà Tây was merged into Hà Nội "
             "in 2008) and the file has no 'Mã đơn vị': the unit cannot be determined."))
    return [replace(f, unit_code=None) for f in files]


def _out_of_scope(out_dir: Path, ref: Reference, model: FigureModel,
                  scale: str) -> list[SampleFile]:
    if scale != "cluster":  # with the national scope Hà Nội is in scope: nothing wrong
        return []
    uy = model.unit_year("STP-01", 2022)
    style = UnitStyle(layout=Layout(preparer="Trần Thị Minh"))
    return emit(
        out_dir, ref, uy, style, file_name="LOI_2022_STP-01_Ha-Noi.xlsx",
        day=date(2022, 12, 20), flawed=True, expected_rejection="unit_out_of_scope",
        why=("A report from Hà Nội's Department of Justice (STP-01), a real unit but not a "
             "member of the northern mountainous border cluster: out of scope with the default "
             "cluster scope. (Not written at national scale, where it would be in scope.)"))


def _negative(out_dir: Path, ref: Reference, model: FigureModel,
              scale: str) -> list[SampleFile]:
    uy = model.unit_year("THADS-11", 2024)
    style = UnitStyle(kind="csv", csv=CsvDialect(delimiter=",", encoding="utf-8"))
    return emit(
        out_dir, ref, uy, style, file_name="LOI_2024_THADS-11_so-am.csv",
        overrides={("THADS_VIEC", 1, "revoked"): "-3"}, flawed=True,
        expected_rejection="negative",
        why=("CSV export whose THADS_VIEC 'revoked' figure for the second sub-unit is -3: "
             "a negative count; the whole file must be rejected."))


def _resolved_above_eligible(out_dir: Path, ref: Reference, model: FigureModel,
                             scale: str) -> list[SampleFile]:
    uy = model.unit_year("THADS-14", 2024)
    total = dict(uy.tables["THADS_VIEC"].total())
    # The officer added cases to "completed" (and to "not eligible", so to_enforce and
    # carried forward still add up): resolved now exceeds eligible. Only ENF-05 breaks.
    d = total["eligible"] - total["resolved"] + 37
    for k in ("new", "accepted", "to_enforce", "not_eligible", "completed", "resolved"):
        total[k] += d
    block = Block("THADS_VIEC", (Row("Tổng cộng", total, is_total=True),))
    style = replace(CLUSTER_STYLES["THADS-14"], kind="xlsx", breakdown="total")
    return emit(
        out_dir, ref, uy, style, blocks=(block,),
        file_name="LOI_2024_THADS-14_dinh-chinh_vuot-co-dieu-kien.xlsx",
        day=date(2024, 11, 5), flawed=True, expected_rules=("ENF-05", "GEN-04"),
        why=(f"A later correction (Ngày lập báo cáo 05/11/2024) of THADS-14's 2024 THADS_VIEC "
             f"report: resolved {total['resolved']} > eligible {total['eligible']} (ENF-05). "
             "Every other identity holds. Loadable; it supersedes the good report (GEN-04)."))


def _total_differs(out_dir: Path, ref: Reference, model: FigureModel,
                   scale: str) -> list[SampleFile]:
    uy = model.unit_year("THADS-20", 2023)
    style = with_layout(CLUSTER_STYLES["THADS-20"], instructions=None)
    (block,) = [b for b in blocks_for(uy, style) if b.form == "THADS_VIEC"]
    rows = list(block.rows)
    # A district's row was updated, the total row was not re-summed (GEN-02).
    changed = dict(rows[2].counts)
    assert changed["eligible"] - changed["resolved"] >= 12
    for k, delta in (("completed", 12), ("resolved", 12), ("carried_forward", -12)):
        changed[k] += delta
    rows[2] = Row(rows[2].label, changed)
    return emit(
        out_dir, ref, uy, style, blocks=(Block("THADS_VIEC", tuple(rows)),),
        file_name="LOI_2023_THADS-20_dinh-chinh_tong-lech.xlsx", day=date(2023, 10, 25),
        flawed=True, expected_rules=("GEN-02",),
        why=(f"A later correction (25/10/2023) of THADS-20's 2023 THADS_VIEC report: the row "
             f"'{rows[2].label}' gained 12 completed cases but the total row was not updated, "
             "so completed, resolved and carried forward differ from the sum of the sub-units "
             "(GEN-02). Loadable; it supersedes the good report, whose unit totals it repeats "
             "(so GEN-04, which compares figures, need not fire)."))

"""Synthetic sample reports for demos, tests and benchmarks (`tuphap sample`).

SYNTHETIC DATA: every figure is generated; only the cluster's 2022 totals are calibrated to the
published figures (see README.md in this folder). The files follow report-format.md, with the
variety of real submissions, plus deliberately flawed files named "LOI_…".

    write_sample(Path("inbox"))                      # the cluster, 2018-2025, with flawed files
    write_sample(Path("bench"), scale="national", include_flawed=False)

Same arguments, same bytes: nothing depends on the clock or on the order of a dict or a set.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.sample.figures import (
    CLUSTER_YEARS,
    NATIONAL_YEARS,
    PUBLISHED_2022,
    SEED,
    FigureModel,
    Reference,
    UnitYear,
    preliminary_table,
)
from ingest.sample.flawed import write_flawed
from ingest.sample.reports import SampleFile, emit, period_text
from ingest.sample.styles import CLUSTER_STYLES, PRELIMINARY, national_style
from ingest.sample.targets import SampleDecision, write_decisions

__all__ = ["PUBLISHED_2022", "SampleDecision", "SampleFile", "SampleManifest", "write_sample"]

SCALES = ("cluster", "national")


@dataclass(frozen=True)
class SampleManifest:
    """Every file written, in writing order, with what a loader should make of it: the units'
    reports (`files`) and the targets decisions (`decisions`)."""

    out_dir: Path
    scale: str
    years: tuple[int, ...]
    files: tuple[SampleFile, ...]
    decisions: tuple[SampleDecision, ...] = ()

    def __iter__(self) -> Iterator[SampleFile]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def by_name(self, file_name: str) -> SampleFile:
        for f in self.files:
            if f.file_name == file_name:
                return f
        raise KeyError(file_name)

    @property
    def good(self) -> tuple[SampleFile, ...]:
        return tuple(f for f in self.files if not f.flawed)

    @property
    def flawed(self) -> tuple[SampleFile, ...]:
        return tuple(f for f in self.files if f.flawed)

    def summary(self) -> str:
        """One line for the command line (English, for the data team)."""
        kinds = {k: sum(1 for f in self.files if f.kind == k) for k in ("xlsx", "csv")}
        return (f"Wrote {len(self.files)} synthetic sample files ({kinds['xlsx']} xlsx, "
                f"{kinds['csv']} csv; {len(self.flawed)} deliberately flawed) and "
                f"{len(self.decisions)} targets decisions for the {self.scale} scale, years "
                f"{self.years[0]}-{self.years[-1]}, to {self.out_dir}")


def write_sample(out_dir: Path, *, scale: str = "cluster", include_flawed: bool = True,
                 years: Iterable[int] | None = None,
                 include_targets: bool = True) -> SampleManifest:
    """Write the synthetic sample reports into out_dir (created if missing).

    scale "cluster": the 14 units of the northern mountainous border cluster, 2018-2025, in
    hand-picked styles; "national": every unit of every province, 2016-2025 (a benchmark set of
    ~1.500 files). `years` restricts the years written (the figures do not change). With
    `include_targets`, each year's targets decisions too (ingest/sample/targets.py). Existing
    files of the same names are overwritten; other files are left alone.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    all_years = CLUSTER_YEARS if scale == "cluster" else NATIONAL_YEARS
    wanted = all_years if years is None else tuple(sorted(set(years)))
    outside = [y for y in wanted if y not in all_years]
    if outside:
        raise ValueError(f"years {outside} are outside the {scale} sample "
                         f"({all_years[0]}-{all_years[-1]})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ref = Reference()
    model = FigureModel(ref)
    files: list[SampleFile] = []
    for year in wanted:
        if scale == "cluster":
            for province_code in ref.cluster_provinces(year):
                for unit_type in ("STP", "THADS"):
                    uy = model.unit_year(f"{unit_type}-{province_code}", year)
                    files += _cluster_unit_year(out_dir, ref, uy)
        else:
            for unit in ref.units_in_year(year):
                uy = model.unit_year(unit.unit_code, year)
                files += emit(out_dir, ref, uy, national_style(unit), write_only=True)
    if include_flawed:
        files += write_flawed(out_dir, ref, model, scale=scale, years=wanted)
    decisions = (write_decisions(out_dir, ref, scale=scale, years=wanted)
                 if include_targets else ())
    names = [f.file_name for f in files] + [d.file_name for d in decisions]
    assert len(names) == len(set(names)), "two sample files share a name"
    return SampleManifest(out_dir, scale, wanted, tuple(files), decisions)


def _cluster_unit_year(out_dir: Path, ref: Reference, uy: UnitYear) -> list[SampleFile]:
    style = CLUSTER_STYLES[uy.unit_code]
    if (uy.unit_code, uy.year) != (PRELIMINARY.unit_code, PRELIMINARY.year):
        return emit(out_dir, ref, uy, style)
    # The preliminary report cut at 30 November, then the official one that replaces it.
    rng = random.Random(f"{SEED}:preliminary:{uy.unit_code}:{uy.year}")
    early = UnitYear(uy.unit_code, uy.unit_type, uy.province_code, uy.year,
                     {form: preliminary_table(t, rng) for form, t in uy.tables.items()})
    pre_day, official_day = PRELIMINARY.preliminary_date, PRELIMINARY.official_date
    code, year = uy.unit_code, uy.year
    return emit(out_dir, ref, early, style, file_name=f"{year}_{code}_so-bo.xlsx",
                day=pre_day, period=period_text(uy.unit_type, year, pre_day),
                note=(f"preliminary report (Ngày lập báo cáo {pre_day:%d/%m/%Y}), "
                      f"superseded by {year}_{code}_chinh-thuc.xlsx")) + emit(
        out_dir, ref, uy, style, file_name=f"{year}_{code}_chinh-thuc.xlsx",
        day=official_day,
        note=(f"official report (Ngày lập báo cáo {official_day:%d/%m/%Y}) that replaces "
              f"{year}_{code}_so-bo.xlsx"))

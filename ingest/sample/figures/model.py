"""FigureModel: deterministic figures for every unit of every province, 2016-2025.

Why one national model for both scales: the cluster sample and the national sample must tell the
same story (the cluster's figures are the national figures of its members), carried-over cases
must chain from one year to the next (ENF-09) and across the 2025 mergers (the successor's
carried-over equals the sum of its predecessors' carried-forward). Every province's series comes
from its own seeded generator, so asking for a subset of provinces or years never changes a
figure.
"""

from __future__ import annotations

import random
from functools import cached_property

from ingest.forms import UNIT_TYPE_FORMS
from ingest.sample.figures.atoms import ENFORCEMENT_FORMS, sum_atoms
from ingest.sample.figures.published import split_published_2022
from ingest.sample.figures.reference import Reference
from ingest.sample.figures.seed import ANCHOR_YEAR, MERGER_YEAR, MODEL_YEARS, SEED
from ingest.sample.figures.series import (
    Series,
    dissemination_series,
    enforcement_series,
    mediation_series,
    province_size,
)
from ingest.sample.figures.subunits import (
    CLUSTER_DISTRICTS,
    CLUSTER_REGIONAL_OFFICES_2025,
    subunit_names,
)
from ingest.sample.figures.tables import FormTable, UnitYear, split_table
from ingest.sample.figures.ties import fix_total_ties

YearTables = dict[int, dict[str, FormTable]]  # year -> form -> table
FormTotals = dict[str, dict[str, int]]  # form -> atoms of the unit total


class FigureModel:
    """Deterministic figures for every unit of every province, 2016-2025.

    Province series are built lazily and cached; each comes from its own seeded generator.
    """

    def __init__(self, ref: Reference | None = None) -> None:
        self.ref = ref or Reference()
        # old province -> (its tables up to 2024, its unit totals of the virtual 2025)
        self._old: dict[str, tuple[YearTables, FormTotals]] = {}
        self._new: dict[str, dict[str, FormTable]] = {}

    def unit_year(self, unit_code: str, year: int) -> UnitYear:
        unit_type, province_code = unit_code.split("-")
        if year not in MODEL_YEARS:
            raise ValueError(f"the model covers {MODEL_YEARS[0]}-{MODEL_YEARS[-1]}, not {year}")
        if year >= MERGER_YEAR:
            tables = self._new_province(province_code)
        else:
            tables = self._old_province(province_code)[0][year]
        forms = UNIT_TYPE_FORMS[unit_type]
        return UnitYear(unit_code, unit_type, province_code, year,
                        {f: tables[f] for f in forms})

    @cached_property
    def anchor(self) -> dict[str, dict[str, int]]:
        """The 2022 cluster totals split over the cluster's provinces, exactly.

        province code -> indicator -> value, for the published indicators.
        """
        return split_published_2022(self.ref.cluster_provinces(ANCHOR_YEAR))

    def _old_province(self, code: str) -> tuple[YearTables, FormTotals]:
        """A province up to 2024, plus a virtual 2025 the successors are built from."""
        if code in self._old:
            return self._old[code]
        rng = random.Random(f"{SEED}:old:{code}")
        anchor = self.anchor.get(code)
        stp_f, thads_f = province_size(code, rng, anchored=anchor is not None)
        series: dict[str, Series] = {
            "PBGDPL": dissemination_series(rng, stp_f, anchor),
            "HOAGIAI": mediation_series(rng, stp_f, anchor),
        }
        for form in ENFORCEMENT_FORMS:
            series[form] = enforcement_series(rng, form, thads_f, anchor, code)
        totals = {y: {form: s[y] for form, s in series.items()} for y in MODEL_YEARS}
        tables = _old_subunit_tables(code, totals, rng)
        self._old[code] = (tables, totals[MERGER_YEAR])
        return self._old[code]

    def _new_province(self, code: str) -> dict[str, FormTable]:
        """One of the 34 provinces of 2025: the sum of its predecessors."""
        if code in self._new:
            return self._new[code]
        rng = random.Random(f"{SEED}:new:{code}")
        preds = self.ref.predecessors(code)
        tables: dict[str, FormTable] = {}
        for unit_type, forms in UNIT_TYPE_FORMS.items():
            n = _new_subunit_count(unit_type, code, preds, rng)
            names = subunit_names(unit_type, code, MERGER_YEAR, n)
            w = [rng.uniform(0.6, 1.6) for _ in range(n)]
            for form in forms:
                # Successor = sum of its predecessors; carried over = their carried forward.
                total = sum_atoms(self._old_province(p)[1][form] for p in preds)
                fix_total_ties(form, total)
                tables[form] = split_table(form, total, names, w, rng)
        self._new[code] = tables
        return tables


def _old_subunit_tables(code: str, totals: dict[int, FormTotals],
                        rng: random.Random) -> YearTables:
    """Sub-unit breakdown of an old province's unit totals, years before the merger.

    The same districts keep roughly the same weights from year to year, and an enforcement
    district carries over its own carried forward of the year before.
    """
    n_sub = {t: len(CLUSTER_DISTRICTS[code]) if code in CLUSTER_DISTRICTS else
             (30 if code == "01" else 22 if code == "79" else rng.randint(7, 15))
             for t in UNIT_TYPE_FORMS}
    base_w = {t: [rng.uniform(1.4, 2.2)] + [rng.uniform(0.6, 1.3) for _ in range(n - 1)]
              for t, n in n_sub.items()}
    tables: YearTables = {}
    previous: dict[str, FormTable] = {}
    for y in MODEL_YEARS:
        if y >= MERGER_YEAR:
            continue
        tables[y] = {}
        for unit_type, forms in UNIT_TYPE_FORMS.items():
            names = subunit_names(unit_type, code, y, n_sub[unit_type])
            w = [x * (1 + rng.uniform(-0.05, 0.05)) for x in base_w[unit_type]]
            for form in forms:
                prev = previous.get(form)
                co = None
                if form in ENFORCEMENT_FORMS and prev is not None and prev.subunits == names:
                    co = [r["carried_forward"] for r in prev.rows()]
                table = split_table(form, totals[y][form], names, w, rng, co)
                tables[y][form] = previous[form] = table
    return tables


def _new_subunit_count(unit_type: str, code: str, preds: tuple[str, ...],
                       rng: random.Random) -> int:
    """Sub-units of a 2025 province: regional enforcement offices, or areas of communes (an
    unchanged province of the cluster keeps its former districts)."""
    districts = CLUSTER_DISTRICTS.get(code)
    if unit_type == "THADS":
        return CLUSTER_REGIONAL_OFFICES_2025.get(code) or rng.randint(5, 16)
    if districts and preds == (code,):
        return len(districts)
    return rng.randint(6, 14)

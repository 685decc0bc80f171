"""The figures of the synthetic sample: every unit of every province, 2016-2025, consistent.

SYNTHETIC DATA. Nothing here is a real statistic except the cluster's published 2022 totals
(domain.md), which the figures are calibrated to reproduce exactly.

One concern per module:
- `seed`: the seed and the years modelled;
- `reference`: provinces and units from the project's seeds;
- `atoms`: the parts every indicator is derived from, exact splits, printed rates;
- `ties`: no rate may print half-way between two values (Python and SQL round ties differently);
- `tables`: a form of a unit-year as sub-unit rows of atoms, and how a total is spread;
- `subunits`: sub-unit names as officers write them;
- `published`: the published 2022 cluster totals, split over the provinces;
- `series`: a province's yearly unit totals, per form family;
- `model`: `FigureModel`, which ties them together, lazily and per province.
"""

from ingest.sample.figures.atoms import RATE_OPERANDS, derive, rate, split_exact
from ingest.sample.figures.model import FigureModel
from ingest.sample.figures.published import PUBLISHED_2022
from ingest.sample.figures.reference import ProvinceRow, Reference, UnitRow
from ingest.sample.figures.seed import (
    ANCHOR_YEAR,
    CLUSTER_YEARS,
    MERGER_YEAR,
    MODEL_YEARS,
    NATIONAL_YEARS,
    SEED,
)
from ingest.sample.figures.tables import FormTable, UnitYear, preliminary_table, split_table

__all__ = [
    "ANCHOR_YEAR", "CLUSTER_YEARS", "MERGER_YEAR", "MODEL_YEARS", "NATIONAL_YEARS",
    "PUBLISHED_2022", "RATE_OPERANDS", "SEED", "FigureModel", "FormTable", "ProvinceRow",
    "Reference", "UnitRow", "UnitYear", "derive", "preliminary_table", "rate", "split_exact",
    "split_table",
]

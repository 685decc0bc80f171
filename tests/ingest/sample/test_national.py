"""The national sample (2024-2025): every unit, realistic breakdowns, carried over across the
2025 mergers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.ingest.sample.contracts import ENF_FORMS, SEEDS, effective, report_violations
from tests.ingest.sample.reader import csv_text
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")


def test_national_units_per_year_and_breakdowns(national: Sample) -> None:
    units: dict[int, set[str]] = defaultdict(set)
    for r in national.reports.values():
        assert r.unit_code is not None, r.path.name
        units[r.year].add(r.unit_code)
        for data in r.forms.values():
            assert 5 <= len(data.subunits) <= 30 and data.total is not None, r.path.name
    assert {y: len(u) for y, u in units.items()} == {2024: 126, 2025: 68}
    problems = {r.path.name: report_violations(r) for r in national.reports.values()}
    assert {k: v for k, v in problems.items() if v} == {}
    kind_of_unit = {(f.unit_code, f.year): f.kind for f in national.manifest}
    share = list(kind_of_unit.values()).count("csv") / len(kind_of_unit)
    assert 0.2 <= share <= 0.4  # about 30% of the units send CSV
    assert any(csv_text(national.manifest.out_dir / f.file_name)[1] == "cp1258"
               for f in national.manifest if f.kind == "csv")


def test_national_carried_over_follows_the_mergers(national: Sample) -> None:
    """2025 carried over = the predecessors' 2024 carried forward (ENF-09 across mergers)."""
    with (SEEDS / "ref_provinces.csv").open(encoding="utf-8", newline="") as fh:
        provinces = list(csv.DictReader(fh))
    successors = {p["province_code"]: p["successor_province_code"] or p["province_code"]
                  for p in provinces if not p["valid_from"]}
    figures = effective(list(national.reports.values()))
    for form in ENF_FORMS:
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for old, new in successors.items():
            expected[new] += figures[f"THADS-{old}", 2024, form].unit_total()["carried_forward"]
        got = {code.split("-")[1]: data.unit_total()["carried_over"]
               for (code, year, f), data in figures.items()
               if year == 2025 and f == form and code.startswith("THADS")}
        assert got == dict(expected)

"""write_sample's promises: same arguments, same bytes; fewer years, same figures; bad
arguments refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.constants import reporting_years
from ingest.sample import write_sample
from ingest.sample.figures import CLUSTER_YEARS, MODEL_YEARS, NATIONAL_YEARS
from ingest.sample.writers import vn_decimal, vn_int
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")


def test_without_flawed_files_the_good_files_are_unchanged(cluster: Sample,
                                                            tmp_path: Path) -> None:
    manifest = write_sample(tmp_path, include_flawed=False, years=[2025])
    assert not manifest.flawed and len(manifest.files) == 16  # 14 units, 2 send 2 files
    for f in manifest:
        assert (tmp_path / f.file_name).read_bytes() == (
            cluster.manifest.out_dir / f.file_name).read_bytes(), f.file_name


def test_the_bytes_are_deterministic(cluster: Sample, tmp_path: Path) -> None:
    """A second run gives identical files; asking for fewer years changes no figure either."""
    again = write_sample(tmp_path, years=[2022, 2023, 2024])
    first = {f.file_name: f for f in cluster.manifest if f.year in (2022, 2023, 2024)}
    assert {f.file_name: f for f in again} == first
    assert any(f.flawed for f in again) and any(f.kind == "csv" for f in again)
    for f in again:
        assert (tmp_path / f.file_name).read_bytes() == (
            cluster.manifest.out_dir / f.file_name).read_bytes(), f.file_name


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, scale="province")
    with pytest.raises(ValueError):
        write_sample(tmp_path, years=[2016])  # the cluster sample starts in 2018
    assert not list(tmp_path.iterdir())


def test_the_sample_years_are_years_the_warehouse_accepts() -> None:
    """The sample's years are its own fixed facts, but every one must be loadable."""
    supported = reporting_years(date(2025, 1, 1))  # the earliest "today" the sample knows
    assert set(MODEL_YEARS) <= set(supported)
    assert set(CLUSTER_YEARS) <= set(NATIONAL_YEARS) == set(MODEL_YEARS)


def test_writers_print_figures_the_vietnamese_way() -> None:
    assert [vn_int(n) for n in (0, 999, 27_430, 1_826_513)] == ["0", "999", "27.430",
                                                                "1.826.513"]
    assert vn_decimal(Decimal("89.68")) == "89,68"
    assert vn_decimal(Decimal("1234.50")) == "1.234,50"
    assert vn_decimal(Decimal("85")) == "85"

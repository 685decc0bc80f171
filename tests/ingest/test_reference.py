"""The register read from the dbt seeds, queried by reporting year."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ingest.reference import DEFAULT_SEEDS_DIR, Registry, load_registry


def test_loads_the_project_seeds(registry: Registry) -> None:
    assert len(registry.units) > 150 and len(registry.provinces) > 80
    assert load_registry() is registry  # cached per directory
    assert load_registry(DEFAULT_SEEDS_DIR) is registry


def test_periods(registry: Registry) -> None:
    assert registry.period("STP", 2024) == (date(2024, 1, 1), date(2024, 12, 31))
    assert registry.period("THADS", 2024) == (date(2023, 10, 1), date(2024, 9, 30))
    with pytest.raises(KeyError):
        registry.period("XYZ", 2024)


def test_units_follow_the_2025_merger(registry: Registry) -> None:
    assert registry.unit("THADS-10", 2024).province_code == "10"
    assert registry.unit("THADS-10", 2025) is None
    yen_bai, lao_cai = registry.unit("THADS-15", 2024), registry.unit("THADS-15", 2025)
    assert "Yên Bái" in yen_bai.unit_name and "Lào Cai" in lao_cai.unit_name
    assert registry.unit("STP-02", 2025) is None  # Hà Giang merged into Tuyên Quang
    assert registry.unit("STP-08", 2025) is not None
    assert registry.unit("STP-99", 2024) is None


def test_provinces(registry: Registry) -> None:
    assert registry.province("10", 2024).province_name == "Tỉnh Lào Cai"
    assert registry.province("10", 2025) is None
    assert registry.province("15", 2025).province_name == "Tỉnh Lào Cai"
    assert registry.province("15", 2024).province_name == "Tỉnh Yên Bái"
    assert registry.province("15", 2024).successor_province_code == "15"


def test_cluster_and_scope(registry: Registry) -> None:
    assert registry.cluster_members(2024) == {"02", "04", "10", "11", "12", "14", "20"}
    assert registry.cluster_members(2025) == {"08", "04", "15", "11", "12", "14", "20"}
    assert registry.in_scope("STP-10", 2024, "cluster")
    assert not registry.in_scope("STP-10", 2025, "cluster")  # no such unit any more
    assert registry.in_scope("THADS-15", 2025, "cluster")
    assert not registry.in_scope("THADS-15", 2024, "cluster")  # Yên Bái was not a member
    assert not registry.in_scope("STP-01", 2024, "cluster")
    assert registry.in_scope("STP-01", 2024, "national")
    with pytest.raises(ValueError):
        registry.in_scope("STP-01", 2024, "galaxy")


def test_expected_units(registry: Registry) -> None:
    for year in (2018, 2022, 2024, 2025):
        units = registry.expected_units(year, "cluster")
        assert len(units) == 14
        assert {u.unit_type for u in units} == {"STP", "THADS"}
    assert len(registry.expected_units(2024, "national")) == 63 * 2
    assert len(registry.expected_units(2025, "national")) == 34 * 2
    codes = [u.unit_code for u in registry.expected_units(2025, "cluster")]
    assert codes == sorted(codes) and "STP-15" in codes and "STP-10" not in codes


def test_successor_unit(registry: Registry) -> None:
    old = registry.unit("THADS-10", 2024)
    assert registry.successor_unit(old, 2025).unit_code == "THADS-15"
    assert registry.successor_unit(registry.unit("STP-02", 2024), 2025).unit_code == "STP-08"


def test_membership_is_data(tmp_path: Path) -> None:
    """Changing the seed, not code, changes the cluster (domain.md's 2025 assumption)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SEEDS_DIR, seeds)
    membership = seeds / "ref_cluster_membership.csv"
    membership.write_text(membership.read_text(encoding="utf-8") + "01,2025,\n", encoding="utf-8")
    custom = load_registry(seeds)
    assert custom is not load_registry()
    assert custom.in_scope("STP-01", 2025, "cluster")
    assert not custom.in_scope("STP-01", 2024, "cluster")

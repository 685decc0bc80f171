"""The project's reference seeds (provinces, units, cluster membership) as the sample needs them.

Read from dbt_project/seeds, the single source of truth, so the sample never invents a unit the
warehouse would not know.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from ingest.forms import UNIT_TYPE_FORMS
from ingest.sample.figures.seed import MERGER_YEAR

SEEDS_DIR = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str  # "Tỉnh Lào Cai"
    valid_from: date | None
    valid_to: date | None
    successor: str | None

    @property
    def kind(self) -> str:
        """'tỉnh' or 'thành phố', as it is written inside a unit name."""
        return split_province_name(self.name)[0]

    @property
    def base_name(self) -> str:
        """'Lào Cai' for 'Tỉnh Lào Cai'."""
        return split_province_name(self.name)[1]


@dataclass(frozen=True)
class UnitRow:
    unit_code: str
    unit_type: str
    province_code: str
    unit_name: str
    display_name: str
    valid_from: date | None
    valid_to: date | None
    aliases: tuple[str, ...]


def split_province_name(name: str) -> tuple[str, str]:
    for kind in ("Thành phố", "Tỉnh"):
        if name.startswith(kind + " "):
            return kind.lower(), name[len(kind) + 1:]
    raise ValueError(f"unexpected province name {name!r}")


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def _seed_rows(seeds_dir: Path, name: str) -> list[dict[str, str]]:
    with (seeds_dir / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Reference:
    """The project's reference seeds (the single source of truth), read once."""

    def __init__(self, seeds_dir: Path = SEEDS_DIR) -> None:
        self.provinces = tuple(
            ProvinceRow(r["province_code"], r["province_name"], _date(r["valid_from"]),
                        _date(r["valid_to"]), r["successor_province_code"] or None)
            for r in _seed_rows(seeds_dir, "ref_provinces.csv"))
        self.units = tuple(
            UnitRow(r["unit_code"], r["unit_type"], r["province_code"], r["unit_name"],
                    r["display_name"], _date(r["valid_from"]), _date(r["valid_to"]),
                    tuple(a for a in r["aliases"].split("|") if a))
            for r in _seed_rows(seeds_dir, "ref_units.csv"))
        self.membership = tuple(
            (r["province_code"], int(r["member_from_year"]) if r["member_from_year"] else None,
             int(r["member_to_year"]) if r["member_to_year"] else None)
            for r in _seed_rows(seeds_dir, "ref_cluster_membership.csv"))

    # A reporting year is represented by its last day: in 2025 that picks the 34 provinces.
    def provinces_in_year(self, year: int) -> tuple[ProvinceRow, ...]:
        day = date(year, 12, 31)
        return tuple(sorted((p for p in self.provinces if _valid_on(p.valid_from, p.valid_to, day)),
                            key=lambda p: p.code))

    def province(self, code: str, year: int) -> ProvinceRow:
        day = date(year, 12, 31)
        for p in self.provinces:
            if p.code == code and _valid_on(p.valid_from, p.valid_to, day):
                return p
        raise KeyError((code, year))

    def unit(self, unit_type: str, province_code: str, year: int) -> UnitRow:
        day = date(year, 12, 31)
        for u in self.units:
            if (u.unit_type == unit_type and u.province_code == province_code
                    and _valid_on(u.valid_from, u.valid_to, day)):
                return u
        raise KeyError((unit_type, province_code, year))

    def units_in_year(self, year: int) -> tuple[UnitRow, ...]:
        return tuple(self.unit(t, p.code, year)
                     for p in self.provinces_in_year(year) for t in UNIT_TYPE_FORMS)

    def cluster_provinces(self, year: int) -> tuple[str, ...]:
        return tuple(sorted(code for code, start, end in self.membership
                            if (start is None or start <= year) and (end is None or year <= end)))

    @cached_property
    def old_provinces(self) -> tuple[ProvinceRow, ...]:
        """The 63 provinces as they were up to 30 June 2025."""
        return self.provinces_in_year(MERGER_YEAR - 1)

    def predecessors(self, new_code: str) -> tuple[str, ...]:
        """The old provinces a 2025 province continues (itself when unchanged)."""
        merged = tuple(sorted(p.code for p in self.old_provinces if p.successor == new_code))
        return merged or (new_code,)

"""The reference register (dbt seeds) as Python objects: units, provinces, periods, cluster.

The seeds under dbt_project/seeds are the single source of truth; the parsers read the same
files dbt loads, so a correction (a renamed unit, a changed cluster membership) is made once,
as data. Everything time-dependent is resolved per *reporting year*: a unit or province is
valid for year N when it is valid on the last day of the reporting period of N (for STP the
calendar year, for THADS 1 Oct N-1 .. 30 Sep N). So for 2025 the merged provinces of 1 July
2025 apply, and "Lào Cai" is province 10 up to 2024 and 15 from 2025.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from ingest.constants import SCOPES
from ingest.names import NameIndex
from ingest.units import Province, Unit

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Period:
    """How a unit type's reporting year N maps to dates (ref_reporting_periods.csv)."""

    start_month: int
    start_day: int
    start_year_offset: int
    end_month: int
    end_day: int

    def for_year(self, year: int) -> tuple[date, date]:
        return (
            date(year + self.start_year_offset, self.start_month, self.start_day),
            date(year, self.end_month, self.end_day),
        )


def _date_or_none(text: str) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


@dataclass(frozen=True, eq=False)
class Registry:
    """Units, provinces, reporting periods and cluster membership, queried by reporting year."""

    units: tuple[Unit, ...]
    provinces: tuple[Province, ...]
    periods: tuple[tuple[str, Period], ...]  # (unit_type, period)
    membership: tuple[tuple[str, int | None, int | None], ...]  # (province, from, to)
    seeds_dir: Path | None = field(default=None)

    # Reporting periods
    def period(self, unit_type: str, year: int) -> tuple[date, date]:
        """First and last day of reporting year `year` for units of `unit_type`."""
        for kind, period in self.periods:
            if kind == unit_type:
                return period.for_year(year)
        raise KeyError(f"no reporting period for unit type {unit_type!r}")

    def year_end(self, unit_type: str | None, year: int) -> date:
        """The day on which validity is judged; without a unit type, the latest period end."""
        if unit_type is not None:
            return self.period(unit_type, year)[1]
        return max(period.for_year(year)[1] for _, period in self.periods)

    # Units
    @cached_property
    def _units_by_code(self) -> dict[str, tuple[Unit, ...]]:
        out: dict[str, list[Unit]] = {}
        for unit in self.units:
            out.setdefault(unit.unit_code, []).append(unit)
        return {code: tuple(versions) for code, versions in out.items()}

    def unit_versions(self, unit_code: str) -> tuple[Unit, ...]:
        """Every version of a unit code, in register order (any year)."""
        return self._units_by_code.get(unit_code, ())

    def unit(self, unit_code: str, year: int) -> Unit | None:
        """The version of `unit_code` valid for reporting year `year`, or None."""
        for unit in self.unit_versions(unit_code):
            if unit.valid_on(self.year_end(unit.unit_type, year)):
                return unit
        return None

    def units_for_year(self, year: int) -> list[Unit]:
        """Every unit valid for reporting year `year`, sorted by unit code."""
        found = {}
        for code in self._units_by_code:
            unit = self.unit(code, year)
            if unit is not None:
                found[code] = unit
        return [found[code] for code in sorted(found)]

    # Provinces
    @cached_property
    def _provinces_by_code(self) -> dict[str, tuple[Province, ...]]:
        out: dict[str, list[Province]] = {}
        for province in self.provinces:
            out.setdefault(province.province_code, []).append(province)
        return {code: tuple(versions) for code, versions in out.items()}

    def province_versions(self, province_code: str) -> tuple[Province, ...]:
        return self._provinces_by_code.get(province_code, ())

    def province(
        self, province_code: str, year: int, unit_type: str | None = None
    ) -> Province | None:
        """The version of a province valid for reporting year `year`.

        Validity is judged on the end of `unit_type`'s period when given, otherwise on the latest
        period end of that year (31 December); the two only differ if a change fell between
        30 September and 31 December.
        """
        day = self.year_end(unit_type, year)
        for province in self.province_versions(province_code):
            if province.valid_on(day):
                return province
        return None

    def successor_unit(self, unit: Unit, year: int) -> Unit | None:
        """Where a unit that no longer exists in `year` went: the same type of unit of the
        province its province was merged into (following merges transitively)."""
        seen: set[str] = set()
        code = unit.province_code
        for province in self.province_versions(code):
            if province.valid_to is not None and province.successor_province_code:
                nxt: str | None = province.successor_province_code
                while nxt and nxt not in seen:
                    seen.add(nxt)
                    candidate = self.unit(f"{unit.unit_type}-{nxt}", year)
                    if candidate is not None:
                        return candidate
                    later = [p for p in self.province_versions(nxt) if p.successor_province_code]
                    nxt = later[0].successor_province_code if later else None
        return None

    # Scope
    def cluster_members(self, year: int) -> frozenset[str]:
        """Province codes that are members of the cluster in reporting year `year`."""
        return frozenset(
            code
            for code, first, last in self.membership
            if (first is None or first <= year) and (last is None or year <= last)
        )

    def in_scope(self, unit_code: str, year: int, scope: str) -> bool:
        """Whether a unit's report for `year` is expected and accepted under `scope`."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; expected one of {SCOPES}")
        unit = self.unit(unit_code, year)
        if unit is None:
            return False
        return scope == "national" or unit.province_code in self.cluster_members(year)

    def expected_units(self, year: int, scope: str) -> list[Unit]:
        """Every unit in scope for `year`, sorted by unit code (GEN-01's denominator)."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; expected one of {SCOPES}")
        units = self.units_for_year(year)
        if scope == "national":
            return units
        members = self.cluster_members(year)
        return [u for u in units if u.province_code in members]

    # Names as officers type them (ingest.names)
    @cached_property
    def name_index(self) -> NameIndex:
        return NameIndex(self.units, self.provinces)

    def name_candidates(self, name: str) -> list[Unit]:
        """Every unit version (any year) that `name` can denote."""
        return self.name_index.candidates(name)

    def resolve_name(self, name: str, year: int) -> Unit | None:
        """The unit valid for reporting year `year` that `name` denotes, or None (unknown or
        ambiguous)."""
        valid: dict[str, Unit] = {}
        for unit in self.name_candidates(name):
            if unit.valid_on(self.year_end(unit.unit_type, year)):
                valid[unit.unit_code] = unit
        if len(valid) != 1:
            return None
        return next(iter(valid.values()))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _build(seeds_dir: Path) -> Registry:
    units = tuple(
        Unit(
            unit_code=row["unit_code"].strip(),
            unit_type=row["unit_type"].strip(),
            province_code=row["province_code"].strip(),
            unit_name=row["unit_name"].strip(),
            display_name=(row.get("display_name") or row["unit_name"]).strip(),
            valid_from=_date_or_none(row["valid_from"]),
            valid_to=_date_or_none(row["valid_to"]),
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
        )
        for row in _read_csv(seeds_dir / "ref_units.csv")
    )
    provinces = tuple(
        Province(
            province_code=row["province_code"].strip(),
            province_name=row["province_name"].strip(),
            valid_from=_date_or_none(row["valid_from"]),
            valid_to=_date_or_none(row["valid_to"]),
            successor_province_code=(row.get("successor_province_code") or "").strip() or None,
        )
        for row in _read_csv(seeds_dir / "ref_provinces.csv")
    )
    periods: dict[str, Period] = {}
    for row in _read_csv(seeds_dir / "ref_reporting_periods.csv"):
        period = Period(
            int(row["start_month"]), int(row["start_day"]), int(row["start_year_offset"]),
            int(row["end_month"]), int(row["end_day"]),
        )
        previous = periods.setdefault(row["unit_type"].strip(), period)
        if previous != period:
            raise ValueError(f"forms of unit type {row['unit_type']} have different periods")
    membership = tuple(
        (row["province_code"].strip(), _int_or_none(row["member_from_year"]),
         _int_or_none(row["member_to_year"]))
        for row in _read_csv(seeds_dir / "ref_cluster_membership.csv")
    )
    return Registry(units, provinces, tuple(periods.items()), membership, seeds_dir)


@lru_cache(maxsize=8)
def _load_cached(seeds_dir: str) -> Registry:
    return _build(Path(seeds_dir))


def load_registry(seeds_dir: Path | None = None) -> Registry:
    """Load the register from the seeds directory (default: the project's dbt seeds), cached
    per directory: the seeds do not change during a load."""
    directory = (seeds_dir or DEFAULT_SEEDS_DIR).resolve()
    return _load_cached(str(directory))


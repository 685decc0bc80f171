"""Resolving the unit name an officer typed ("Đơn vị báo cáo") to a unit of the register.

Two ways, both on `normalise_key` (NFC, casefold, no diacritics, punctuation to spaces):

1. the register's own names: unit_name, display_name and the "|"-separated aliases of
   ref_units.csv. Adding a spelling is a data change, not a code change.
2. a structural reading for short forms the aliases do not list: a unit-type prefix ("Sở Tư
   pháp", "STP", "Sở TP", "Cục THADS", "Cục THA DS", "THADS", "Thi hành án dân sự", …), an
   optional kind of province ("tỉnh", "thành phố", "TP."), then a province name of
   ref_provinces.csv: "Sở Tư pháp TP. Hà Nội", "STP tinh Lao Cai".

A name matches unit *versions*; the report's year then picks the version valid that year, so
"Cục THADS tỉnh Lào Cai" is THADS-10 for 2024 and THADS-15 for 2025, while "Sở Tư pháp tỉnh
Hà Giang" has no unit in 2025 (Hà Giang merged into Tuyên Quang), which the caller reports.
Stripping diacritics cannot merge two units: no two province names of the register differ
only by diacritics (a test checks this for every unit and year).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ingest.text import normalise_key
from ingest.units import Province, Unit

# Normalised unit-type prefixes, longest first so "cuc thi hanh an dan su" wins over "cuc thi
# hanh an". "Sở TP" is the Department of Justice ("Tư pháp"), never "thành phố".
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            ("so tu phap", "STP"), ("so tp", "STP"), ("stp", "STP"),
            ("cuc thi hanh an dan su", "THADS"), ("cuc thads", "THADS"),
            ("cuc tha ds", "THADS"), ("cuc tha dan su", "THADS"),
            ("cuc thi hanh an", "THADS"), ("cuc tha", "THADS"),
            ("thi hanh an dan su", "THADS"), ("thads", "THADS"), ("tha ds", "THADS"),
            ("tha dan su", "THADS"), ("thi hanh an", "THADS"),
        ),
        key=lambda item: -len(item[0]),
    )
)
_PROVINCE_KINDS = ("thanh pho", "tp", "tinh")


def _overlaps(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None
              ) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )


def province_base_key(name: str) -> str:
    """Key of a province name without its kind: "Thành phố Hà Nội" -> "ha noi"."""
    key = normalise_key(name)
    for kind in _PROVINCE_KINDS:
        if key.startswith(kind + " "):
            return key[len(kind) + 1 :]
    return key


class NameIndex:
    """Lookup tables built once per register."""

    def __init__(self, units: Sequence[Unit], provinces: Sequence[Province]) -> None:
        self._by_alias: dict[str, list[Unit]] = {}
        for unit in units:
            for name in (unit.unit_name, unit.display_name, *unit.aliases):
                bucket = self._by_alias.setdefault(normalise_key(name), [])
                if not any(u is unit for u in bucket):
                    bucket.append(unit)
        self._provinces_by_base: dict[str, list[Province]] = {}
        for province in provinces:
            self._provinces_by_base.setdefault(
                province_base_key(province.province_name), []).append(province)
        self._units_by_type_province: dict[tuple[str, str], list[Unit]] = {}
        for unit in units:
            self._units_by_type_province.setdefault(
                (unit.unit_type, unit.province_code), []).append(unit)

    def candidates(self, name: str) -> list[Unit]:
        """Every unit version `name` can denote, regardless of year."""
        key = normalise_key(name)
        if not key:
            return []
        found = self._by_alias.get(key)
        if found:
            return list(found)
        return self._structural(key)

    def _structural(self, key: str) -> list[Unit]:
        for prefix, unit_type in _PREFIXES:
            if not key.startswith(prefix + " "):
                continue
            rest = key[len(prefix) + 1 :]
            for kind in _PROVINCE_KINDS:
                if rest.startswith(kind + " "):
                    rest = rest[len(kind) + 1 :]
                    break
            out: list[Unit] = []
            for province in self._provinces_by_base.get(rest, ()):
                for unit in self._units_by_type_province.get(
                        (unit_type, province.province_code), ()):
                    # Code 52 is Bình Định's until mid-2025 and the new Gia Lai's after: only the
                    # unit versions that lived alongside this province version match.
                    if _overlaps(unit.valid_from, unit.valid_to,
                                 province.valid_from, province.valid_to) and unit not in out:
                        out.append(unit)
            if out:
                return out
        return []


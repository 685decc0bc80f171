"""A unit or a province of the register, each as one version valid over a span of dates.

Kept apart from the register (ingest.reference) so that the name index (ingest.names), which
the register builds, can use these types without importing the register back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Unit:
    """One version of a reporting unit (a code can have several versions over time)."""

    unit_code: str
    unit_type: str  # STP | THADS
    province_code: str
    unit_name: str
    display_name: str
    valid_from: date | None
    valid_to: date | None
    aliases: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        return valid_between(self.valid_from, self.valid_to, day)


@dataclass(frozen=True)
class Province:
    """One version of a province; `successor_province_code` is set when it was merged away."""

    province_code: str
    province_name: str
    valid_from: date | None
    valid_to: date | None
    successor_province_code: str | None

    def valid_on(self, day: date) -> bool:
        return valid_between(self.valid_from, self.valid_to, day)


def valid_between(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether `day` falls in [valid_from, valid_to]; a missing bound is open."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)

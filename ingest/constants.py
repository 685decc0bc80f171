"""Constants every layer shares, defined once: ingest, orchestration and the CLI import them here.

Kept free of imports from the project so that any module may depend on it without a cycle.
"""

from __future__ import annotations

from datetime import date

SCOPES: tuple[str, ...] = ("cluster", "national")
"""Which units a load accepts: the 7-province cluster (default) or the whole country."""

FIRST_REPORTING_YEAR = 2015
"""The first year the warehouse accepts. The cluster's digitised reports start in 2018; 2015
leaves room for older reports that units may still send."""


def last_reporting_year(today: date | None = None) -> int:
    """The last year the warehouse accepts: next year, since STP's preliminary report of year N
    arrives in December of N and a unit may send its plan for N+1 early."""
    return (today or date.today()).year + 1


def reporting_years(today: date | None = None) -> range:
    """Every year the warehouse accepts, first to last inclusive."""
    return range(FIRST_REPORTING_YEAR, last_reporting_year(today) + 1)


def format_mib(n_bytes: int) -> str:
    """A size in MiB the Vietnamese way, for messages to officers: 3_250_586 -> "3,1 MB"."""
    return f"{n_bytes / (1024 * 1024):.1f}".replace(".", ",") + " MB"

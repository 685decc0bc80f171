"""Reporting years as Dagster partitions."""

from __future__ import annotations

from datetime import date

import dagster as dg

from ingest.constants import reporting_years


def report_years(today: date | None = None) -> list[str]:
    """Every reporting year the warehouse accepts (ingest/constants.py), as partition keys."""
    return [str(year) for year in reporting_years(today)]


years_partitions = dg.StaticPartitionsDefinition(report_years())


def parse_years(text: str) -> tuple[str, str]:
    """'2018-2025' -> ('2018', '2025'); '2024' -> ('2024', '2024'); validated against the set."""
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"years must look like 2018-2025 or 2024, not {text!r}")
    first, last = sorted(parts, key=int)
    keys = years_partitions.get_partition_keys()
    for year in (first, last):
        if year not in keys:
            raise ValueError(f"year {year} is outside the supported range {keys[0]}-{keys[-1]}")
    return first, last


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover a range of year partitions."""
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }

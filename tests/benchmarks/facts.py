"""Reading the floor's fact tables in tests."""

from __future__ import annotations


def rows_by_key(facts: dict, table: str) -> dict[tuple[str, int], dict]:
    """A fact table's rows by (province code, year)."""
    return {(r["province_code"], r["year"]): r for r in facts[table]}

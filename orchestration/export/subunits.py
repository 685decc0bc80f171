"""The sub-unit names of a unit's latest accepted report, read from a warehouse.

A template pre-filled with the sub-units the unit reported last time (its district offices,
regional offices, communes) is one less thing to type and keeps the names the same from year to
year. The names come from the raw layer (`raw.submissions`, `raw.submission_values`): accepted
files only, as the unit wrote them, in report order.

The connection is an engine's read-only connection (DuckDB's or PostgreSQL's); values are
bound, never pasted into the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ingest.forms import UNIT_TYPE_FORMS
from ingest.reference import Registry, load_registry
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import run_query

# Newest first, as report-format.md ranks submissions: the later reporting year, then the later
# report date where there is one, then the one received later.
_SUBMISSIONS_SQL = """
select submission_id, year, form
from raw.submissions
where unit_code = ? and year <= ?
order by year desc, report_date desc nulls last, received_at desc, submission_id desc
"""
_NAMES_SQL = """
select subunit
from raw.submission_values
where submission_id = ? and subunit is not null
group by subunit
order by min(subunit_order), subunit
"""


def _rows(connection: Connection, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    return run_query(connection, sql, params)[1]


def fetch_subunit_names(connection: Connection, unit_code: str, year: int, *,
                        registry: Registry | None = None) -> dict[str, list[str]]:
    """Form -> sub-unit names of the unit's latest accepted report of that form, up to `year`.

    Only reports of the same unit version count: `THADS-15` is Yên Bái's agency up to 2024 and
    Lào Cai's from 2025, so a 2025 template of THADS-15 never shows Yên Bái's districts. A form
    never reported (or reported without sub-units) maps to an empty list.
    """
    registry = registry if registry is not None else load_registry()
    unit = registry.unit(unit_code, year)
    if unit is None:
        return {}
    names: dict[str, list[str]] = {form: [] for form in UNIT_TYPE_FORMS[unit.unit_type]}
    latest: dict[str, str] = {}
    for submission_id, report_year, form in _rows(connection, _SUBMISSIONS_SQL,
                                                  (unit_code, year)):
        if form in names and form not in latest and registry.unit(unit_code,
                                                                  int(report_year)) == unit:
            latest[form] = submission_id
    for form, submission_id in latest.items():
        names[form] = [row[0] for row in _rows(connection, _NAMES_SQL, (submission_id,))]
    return names


__all__ = ["fetch_subunit_names"]

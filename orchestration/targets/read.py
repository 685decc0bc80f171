"""The achievement of one year's targets, and the decisions behind it, from a warehouse.

SQL written once for both engines (orchestration/warehouse/sql.py): the year is bound, never
pasted; the lower layer's schema is a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts

ACHIEVEMENT = """
select unit_code, unit_type, province_code, unit_display_name, indicator, comparator, target,
       target_decimals, target_level, actual, margin, achieved, decision_number, decision_date,
       issuer
from fct_target_achievement
where year = ?
order by unit_type desc, indicator, province_code, unit_code
"""
# The forms of the year with an open error (a verdict resting on figures that cannot all be
# true is marked so).
OPEN_ERRORS = """
select distinct unit_code, form
from dq_issues
where year = ? and severity = 'error' and status = 'open'
"""
# Every decision received for the year, newest first within each unit type (the lower layer
# keeps the superseded ones: history).
DECISIONS = """
select unit_type, decision_number, decision_date, issuer, source_file, is_in_force,
       decision_rank
from {intermediate}.int_target_decisions_ranked
where year = ?
order by unit_type desc, decision_rank
"""


@dataclass(frozen=True)
class Decision:
    """A decision as the printout cites it."""

    unit_type: str
    number: str
    day: date | None
    issuer: str | None
    source_file: str
    in_force: bool


@dataclass(frozen=True)
class YearTargets:
    year: int
    rows: list[dict[str, Any]]  # fct_target_achievement's, in print order
    decisions: list[Decision]
    open_errors: frozenset[tuple[str, str]] = frozenset()  # (unit code, form)


def read_year(connection: Connection, year: int) -> YearTargets:
    """The year's rows of fct_target_achievement, the decisions received for it and the forms
    with open errors."""
    rows = query_dicts(connection, ACHIEVEMENT, [year])
    decisions = [Decision(r["unit_type"], r["decision_number"], r["decision_date"], r["issuer"],
                          r["source_file"], bool(r["is_in_force"]))
                 for r in query_dicts(connection, DECISIONS, [year])]
    errors = frozenset((r["unit_code"], r["form"])
                       for r in query_dicts(connection, OPEN_ERRORS, [year]))
    return YearTargets(year, rows, decisions, errors)

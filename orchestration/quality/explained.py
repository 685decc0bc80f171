"""Units' explanations the data team has not yet seen in its alert (the roll-up of a load).

An explanation is new to the data team until an alert listing it reached a channel: the issue
then keeps, in `alerted_explanation_at`, the `explained_by_unit_at` of the explanation listed.
Comparing the two moments of the same explanation (not the alert's clock with the mailbox's)
lists each explanation once, even one that arrived before the last alert but was pulled after
it (a mailbox that could not be read for a while); a later answer of the unit is listed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from orchestration.quality.issues import ensure_issues_table
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts

_PENDING = """
    select fingerprint, rule_id, severity, form, unit_code, unit_name, year, status,
        explanation, explained_by_unit_at
    from {main}.dq_issues
    where explanation is not null and explained_by_unit_at is not null
        and (alerted_explanation_at is null or alerted_explanation_at <> explained_by_unit_at)
    order by unit_code, year, rule_id, form, fingerprint
"""


def pending_explanations(conn: Connection) -> list[dict[str, Any]]:
    """Issues whose latest explanation no alert has listed yet."""
    ensure_issues_table(conn)
    return query_dicts(conn, _PENDING)


def mark_explanations_alerted(conn: Connection,
                              listed: Sequence[tuple[str, datetime]]) -> int:
    """Record that the explanations `listed` ((fingerprint, explained_by_unit_at)) reached
    a channel; an issue explained again since keeps its newer explanation pending."""
    for fingerprint, explained_at in listed:
        conn.execute("update {main}.dq_issues set alerted_explanation_at = ?"
                     " where fingerprint = ? and explained_by_unit_at = ?",
                     [explained_at, fingerprint, explained_at])
    return len(listed)

"""The issue history `main.dq_issues`: one row per distinct violation ever seen, across loads.

dbt rebuilds its tables from scratch on every load, but issues need memory (when first seen,
acknowledged by whom, already alerted?), so this table is managed here, not by dbt. A
violation's identity is its fingerprint: sha256 of the rule, unit, year, form and the canonical
operand values. The same figures give the same fingerprint on every load; corrected figures
give a new one (and the old issue is resolved).

Status transitions at each load (merge_violations):
- produced for the first time             -> open (alerted once, by quality_alerts)
- produced again, not resolved            -> unchanged, last_seen_at updated
- not resolved, not produced anymore      -> resolved (kept, with resolved_at)
- resolved, produced again                -> open again: first_seen_at kept, acknowledgement
                                             cleared, alerted again
Between loads and by the units (quality-rules.md: open -> explained -> acknowledged):
- a unit's reply explains it              -> explained (explain: orchestration/mailbox)
- the data team accepts it (`tuphap ack`) -> acknowledged
- the data team rejects the explanation   -> open again (`tuphap reopen`), the unit told why
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from expectations.rules import RULES, SEVERITY_ORDER, Violation, rule
from orchestration.quality.issue_docs import describe_issues
from orchestration.quality.messages import render_message
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import table_exists

STATUSES = ("open", "explained", "acknowledged", "resolved")
UNRESOLVED = ("open", "explained", "acknowledged")

ISSUES_DDL = """
create table if not exists {main}.dq_issues (
    fingerprint varchar primary key,   -- sha256 of rule, unit, year, form and canonical values
    rule_id varchar not null,          -- quality-rules.md id, e.g. ENF-05
    severity varchar not null,         -- error | warn
    form varchar,                      -- PBGDPL | HOAGIAI | THADS_VIEC | THADS_TIEN
    unit_code varchar not null,
    unit_name varchar,                 -- display name of the unit in the report's year
    province_code varchar,
    year integer not null,
    message varchar not null,          -- Vietnamese, figures printed the Vietnamese way
    "values" json not null,            -- the operands (part of the fingerprint)
    details json,                      -- what else the message shows (not fingerprinted)
    status varchar not null,           -- open | acknowledged | resolved
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    resolved_at timestamptz,
    acknowledged_at timestamptz,
    ack_note varchar,
    alerted_at timestamptz,            -- when an alert carrying this issue was delivered
    explanation varchar,               -- the unit's explanation (its reply's new text)
    explained_by_unit_at timestamptz,  -- when the mailbox received it
    reopened_at timestamptz,           -- when the data team last rejected an explanation
    reopen_note varchar,               -- why (told to the unit)
    alerted_explanation_at timestamptz -- explained_by_unit_at of the explanation last rolled up
)
"""
# Columns added after the table first shipped: a warehouse made before them gains them.
ADDED_COLUMNS = (("explanation", "varchar"), ("explained_by_unit_at", "timestamptz"),
                 ("reopened_at", "timestamptz"), ("reopen_note", "varchar"),
                 ("alerted_explanation_at", "timestamptz"))

_COLUMNS = (
    "fingerprint", "rule_id", "severity", "form", "unit_code", "unit_name", "province_code",
    "year", "message", "values", "details", "status", "first_seen_at", "last_seen_at",
    "resolved_at", "acknowledged_at", "ack_note", "alerted_at", "explanation",
    "explained_by_unit_at", "reopened_at", "reopen_note", "alerted_explanation_at",
)
_SELECT = ", ".join(f'"{c}"' for c in _COLUMNS)


def ensure_issues_table(conn: Connection) -> None:
    conn.execute(ISSUES_DDL)
    for column, kind in ADDED_COLUMNS:
        conn.execute(f"alter table {{main}}.dq_issues add column if not exists {column} {kind}")


def issues_table_exists(conn: Connection) -> bool:
    return table_exists(conn, "main", "dq_issues")


def _canonical(value: Any) -> Any:
    """Normalise operands so equal figures hash equally: 12.0 -> 12, floats to 9 digits."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
        return round(value, 9)
    return str(value)


def canonical_json(values: Mapping[str, Any]) -> str:
    return json.dumps(_canonical(values), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def fingerprint(rule_id: str, unit_code: str, year: int, form: str | None,
                values: Mapping[str, Any]) -> str:
    """Stable id of a violation: same rule, unit, year, form and values -> same fingerprint."""
    payload = json.dumps([rule_id, unit_code, int(year), form, _canonical(values)],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def violation_fingerprint(v: Violation) -> str:
    return fingerprint(v.rule_id, v.unit_code, v.year, v.form, v.values)


@dataclass
class MergeResult:
    """What one load changed in dq_issues, for the asset's metadata and checks."""

    produced: int = 0  # distinct violations found by this load
    new: list[str] = field(default_factory=list)  # fingerprints seen for the first time
    reopened: list[str] = field(default_factory=list)  # resolved earlier, back again
    resolved: list[str] = field(default_factory=list)  # open/acknowledged, gone this load
    # rule id -> {"violations": n, "open": n, "acknowledged": n} for this load's violations
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)


def merge_violations(conn: Connection, violations: Iterable[Violation],
                     *, now: datetime | None = None) -> MergeResult:
    """Merge this load's violations into the history (one transaction); see module doc."""
    now = now or datetime.now(UTC)
    ensure_issues_table(conn)
    describe_issues(conn)
    current: dict[str, tuple[Any, ...]] = {}
    for v in violations:
        spec = rule(v.rule_id)  # the catalogue decides the severity
        fp = violation_fingerprint(v)
        if fp in current:
            continue
        current[fp] = (
            fp, spec.id, spec.severity, v.form, v.unit_code, v.unit_name, v.province_code,
            int(v.year), render_message(v), canonical_json(v.values),
            canonical_json(v.context) if v.context else None,
        )
    result = MergeResult(produced=len(current))
    conn.execute("begin transaction")
    try:
        conn.execute("drop table if exists dq_current")
        conn.execute(
            """create temp table dq_current (
                fingerprint varchar primary key, rule_id varchar, severity varchar,
                form varchar, unit_code varchar, unit_name varchar, province_code varchar,
                year integer, message varchar, "values" json, details json)"""
        )
        if current:
            conn.executemany(
                "insert into dq_current values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(current.values()),
            )
        previous = dict(conn.execute(
            "select fingerprint, status from {main}.dq_issues"
            " where fingerprint in (select fingerprint from dq_current)"
        ).fetchall())
        result.new = sorted(fp for fp in current if fp not in previous)
        result.reopened = sorted(fp for fp, s in previous.items() if s == "resolved")
        result.resolved = sorted(r[0] for r in conn.execute(
            "select fingerprint from {main}.dq_issues where status <> 'resolved'"
            " and fingerprint not in (select fingerprint from dq_current)"
        ).fetchall())
        conn.execute(
            "update {main}.dq_issues set status = 'resolved', resolved_at = ?"
            " where status <> 'resolved'"
            " and fingerprint not in (select fingerprint from dq_current)",
            [now],
        )
        conn.execute(
            """update {main}.dq_issues as issue set
                severity = c.severity,
                unit_name = c.unit_name,
                province_code = c.province_code,
                message = c.message,
                details = c.details,
                last_seen_at = ?,
                status = case when issue.status = 'resolved' then 'open' else issue.status end,
                resolved_at = case when issue.status = 'resolved' then null
                                   else issue.resolved_at end,
                acknowledged_at = case when issue.status = 'resolved' then null
                                       else issue.acknowledged_at end,
                ack_note = case when issue.status = 'resolved' then null
                                else issue.ack_note end,
                alerted_at = case when issue.status = 'resolved' then null
                                  else issue.alerted_at end
            from dq_current as c
            where issue.fingerprint = c.fingerprint""",
            [now],
        )
        conn.execute(
            """insert into {main}.dq_issues
                (fingerprint, rule_id, severity, form, unit_code, unit_name, province_code,
                 year, message, "values", details, status, first_seen_at, last_seen_at)
            select c.fingerprint, c.rule_id, c.severity, c.form, c.unit_code, c.unit_name,
                   c.province_code, c.year, c.message, c."values", c.details, 'open', ?, ?
            from dq_current as c
            where not exists (
                select 1 from {main}.dq_issues as i where i.fingerprint = c.fingerprint)""",
            [now, now],
        )
        counts = conn.execute(
            """select i.rule_id, i.status, count(*) from {main}.dq_issues as i
            where i.fingerprint in (select fingerprint from dq_current)
            group by i.rule_id, i.status"""
        ).fetchall()
        conn.execute("drop table dq_current")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    for r in RULES:
        result.by_rule[r.id] = {"violations": 0, "open": 0, "acknowledged": 0}
    for rule_id, status, n in counts:
        entry = result.by_rule.setdefault(rule_id, {"violations": 0, "open": 0,
                                                    "acknowledged": 0})
        entry["violations"] += n
        entry[status] = entry.get(status, 0) + n
    return result


def _rows(cursor: Connection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _order_by() -> str:
    return ("order by case severity when 'error' then 0 else 1 end, unit_code, year,"
            " rule_id, form, fingerprint")


def pending_alerts(conn: Connection) -> list[dict[str, Any]]:
    """Issues to alert: open and never alerted (acknowledged ones are never alerted)."""
    ensure_issues_table(conn)
    return _rows(conn.execute(
        # only our own column list and ORDER BY are formatted in; no value is
        f"select {_SELECT} from {{main}}.dq_issues"  # noqa: S608
        f" where status = 'open' and alerted_at is null {_order_by()}"
    ))


def mark_alerted(conn: Connection, fingerprints: Sequence[str],
                 at: datetime | None = None) -> int:
    """Record that these issues reached at least one alert channel."""
    if not fingerprints:
        return 0
    at = at or datetime.now(UTC)
    conn.execute("begin transaction")
    try:
        conn.executemany(
            "update {main}.dq_issues set alerted_at = ? where fingerprint = ? and status = 'open'",
            [[at, fp] for fp in fingerprints],
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(fingerprints)


MIN_PREFIX = 8


def acknowledge(conn: Connection, fingerprint: str, note: str,
                *, now: datetime | None = None) -> bool:
    """Acknowledge an open issue by fingerprint (or a unique prefix of >= 8 characters).

    An acknowledged issue stays visible (status 'acknowledged') but is never alerted; it is
    resolved like any other when the figures are corrected. Returns False when no open or
    acknowledged issue matches exactly one fingerprint.
    """
    key = (fingerprint or "").strip().lower()
    if len(key) < MIN_PREFIX or not issues_table_exists(conn):
        return False
    matches = _matching(conn, key, UNRESOLVED)
    if len(matches) != 1:
        return False
    conn.execute(
        "update {main}.dq_issues set status = 'acknowledged', acknowledged_at = ?, ack_note = ?"
        " where fingerprint = ?",
        [now or datetime.now(UTC), note, matches[0]],
    )
    return True


def _matching(conn: Connection, key: str, statuses: Sequence[str]) -> list[str]:
    """Fingerprints starting with `key` among the issues of `statuses`."""
    return [r[0] for r in conn.execute(
        "select fingerprint from {main}.dq_issues where starts_with(fingerprint, ?)"
        " and status in (select unnest(cast(? as varchar[])))", [key, list(statuses)],
    ).fetchall()]


def reopen(conn: Connection, fingerprint: str, note: str,
           *, now: datetime | None = None) -> dict[str, Any] | None:
    """The data team rejects a unit's explanation (or takes back an acknowledgement): the
    issue (fingerprint or a unique prefix of >= 8 characters) is open again, with why. Returns
    the issue as it now is, or None when no explained or acknowledged issue matches one."""
    key = (fingerprint or "").strip().lower()
    if len(key) < MIN_PREFIX or not issues_table_exists(conn):
        return None
    ensure_issues_table(conn)
    matches = _matching(conn, key, ("explained", "acknowledged"))
    if len(matches) != 1:
        return None
    conn.execute(
        "update {main}.dq_issues set status = 'open', reopened_at = ?, reopen_note = ?,"
        " acknowledged_at = null, ack_note = null where fingerprint = ?",
        [now or datetime.now(UTC), note, matches[0]])
    return _rows(conn.execute(
        f"select {_SELECT} from {{main}}.dq_issues where fingerprint = ?",  # noqa: S608
        [matches[0]]))[0]


def explain(conn: Connection, explanations: Iterable[Mapping[str, Any]]) -> list[str]:
    """Record units' explanations (fingerprint, explanation, explained_at): each one newer
    than what the issue holds is its explanation, and an open (or explained) issue becomes
    explained; an acknowledged or resolved one keeps its status. Idempotent: every load
    applies every explanation received, and only a newer one changes anything (so an issue
    reopened after an explanation stays open until the unit answers again). Returns the
    fingerprints explained now."""
    ensure_issues_table(conn)
    changed = []
    for row in sorted(explanations, key=lambda r: r["explained_at"]):
        found = conn.execute(
            "update {main}.dq_issues set explanation = ?, explained_by_unit_at = ?,"
            " status = case when status = 'open' then 'explained' else status end"
            " where fingerprint = ? and (explained_by_unit_at is null"
            " or explained_by_unit_at < ?) returning fingerprint",
            [row["explanation"], row["explained_at"], row["fingerprint"],
             row["explained_at"]]).fetchall()
        changed += [r[0] for r in found]
    return sorted(set(changed))


def list_issues(conn: Connection, *, year: int | None = None,
                severity: str | None = None, unit: str | None = None,
                status: str | None = "open") -> list[dict[str, Any]]:
    """Issues filtered by year, severity (error|warn), unit code and status (None = any).

    Ordered errors first, then by unit, year and rule. Returns plain dicts.
    """
    if severity is not None and severity not in SEVERITY_ORDER:
        raise ValueError(f"severity must be error or warn, not {severity!r}")
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if not issues_table_exists(conn):  # read-only callers (the CLI) must not create it
        return []
    where, params = ["true"], []
    if year is not None:
        where.append("year = ?")
        params.append(int(year))
    if severity is not None:
        where.append("severity = ?")
        params.append(severity)
    if unit is not None:
        where.append("upper(unit_code) = upper(?)")
        params.append(unit.strip())
    if status is not None:
        where.append("status = ?")
        params.append(status)
    # the WHERE holds only our fixed fragments; every value is a bound parameter
    sql = f"select {_SELECT} from {{main}}.dq_issues where {' and '.join(where)} {_order_by()}"  # noqa: S608
    return _rows(conn.execute(
        sql,
        params,
    ))

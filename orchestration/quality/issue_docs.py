"""The descriptions of the issue history `dq_issues`, written into the database as comments.

dbt writes every other public table's descriptions (persist_docs); `dq_issues` is managed here,
not by dbt, so its texts live here and `describe_issues` writes them (COMMENT ON, both
engines) on the table each load works on. A column without a text here keeps none: the test of
the reader's catalog (tests/e2e/test_catalog.py) then names it.
"""

from __future__ import annotations

from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import schema_name

TABLE_DOC = (
    "Vấn đề chất lượng dữ liệu — the issue history: one row per distinct violation of a quality "
    "rule (quality-rules.md) ever seen, across loads, with its status.")

COLUMN_DOCS = {
    "fingerprint": "Stable id of the issue: sha256 of rule, unit, year, form and the values.",
    "rule_id": "Quality rule id, e.g. ENF-05 (quality-rules.md).",
    "severity": "error (the figures cannot all be true) or warn (they need a human look).",
    "form": "Report form: PBGDPL, HOAGIAI, THADS_VIEC or THADS_TIEN.",
    "unit_code": "Mã đơn vị — the reporting unit, STP-PP or THADS-PP.",
    "unit_name": "Tên đơn vị — the unit's display name in the report's year.",
    "province_code": "Mã tỉnh — the unit's province.",
    "year": "Năm báo cáo — reporting year.",
    "message": "The issue in Vietnamese, figures printed the Vietnamese way.",
    "values": "JSON: the figures the rule compared (part of the fingerprint).",
    "details": "JSON: what else the message shows (not part of the fingerprint).",
    "status": "open, explained (the unit answered), acknowledged (by the data team) or resolved"
              " (no longer violated).",
    "first_seen_at": "When a load first found the issue (UTC).",
    "last_seen_at": "When a load last found the issue (UTC).",
    "resolved_at": "When a load found the figures no longer violate the rule.",
    "acknowledged_at": "When the data team accepted the issue (tuphap ack).",
    "ack_note": "The data team's note when accepting the issue.",
    "alerted_at": "When an alert carrying this issue was delivered.",
    "explanation": "Giải trình — the unit's explanation: the new text of its reply by e-mail"
                   " carrying the issue's token.",
    "explained_by_unit_at": "When the mailbox received the unit's explanation (UTC).",
    "reopened_at": "When the data team last rejected the unit's explanation (tuphap reopen).",
    "reopen_note": "Why the explanation was not accepted (told to the unit).",
    "alerted_explanation_at": "explained_by_unit_at of the unit's explanation last listed in"
                              " the data team's alert (each explanation is listed once).",
}


def describe_issues(conn: Connection) -> None:
    """Write the table's and its columns' descriptions on `{main}.dq_issues` (COMMENT takes no
    lock a reader waits for; literals because COMMENT takes no bound parameter)."""
    schema = schema_name(conn, "main")
    present = {row[0] for row in conn.execute(
        "select column_name from information_schema.columns where table_schema = ?"
        " and table_name = 'dq_issues'", [schema]).fetchall()}
    conn.execute(f"comment on table {{main}}.dq_issues is {_literal(TABLE_DOC)}")
    for column, text in COLUMN_DOCS.items():
        if column in present:
            conn.execute(f'comment on column {{main}}.dq_issues."{column}" is {_literal(text)}')


def _literal(text: str) -> str:
    """A constant of this module as an SQL string literal (quotes doubled); never user input."""
    return "'" + text.replace("'", "''") + "'"

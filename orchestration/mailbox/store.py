"""What was taken from the mailbox, kept in the private store (schema `tuphap_private`): it
holds senders' addresses and the messages themselves, so no reader may see it.

- `mail_taken`: every message ever taken, keyed by the mailbox, its UIDVALIDITY and the UID,
  with its Message-ID and the sha256 of its bytes: a message is taken once, ever, and after a
  UIDVALIDITY change (the server renumbered the folder) a message already taken is known again
  by its Message-ID and content.
- `mail_held`: a message held for a person (why; its bytes unless it was too big to download)
  and what the data team decided (`tuphap held release | drop`).
- `mail_explanations`: each issue explained by a unit's reply (the text, who, when): applied
  to `dq_issues` by every load until the issue says so (mailbox/explain.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts

DDL = (
    """create table if not exists tuphap_private.mail_taken (
        taken_key varchar primary key,     -- mailbox|uidvalidity|uid
        mailbox varchar not null,          -- host:port/folder (no user, no password)
        uid_validity bigint not null,
        uid bigint not null,
        message_id varchar,                -- the Message-ID header, if any
        content_sha256 varchar,            -- of the message's bytes (null: not downloaded)
        internal_date timestamptz not null,  -- when the mailbox received it
        sender varchar,                    -- the From address (personal data)
        subject varchar,
        outcome varchar not null,          -- accepted | explained | held | duplicate
        files integer not null,            -- report files put in the inbox
        notes varchar,                     -- JSON list: what was not taken, and why
        taken_at timestamptz not null
    )""",
    """create table if not exists tuphap_private.mail_held (
        held_id varchar primary key,       -- 8 hex: what `tuphap held` names
        taken_key varchar not null,
        reason varchar not null,           -- English, for the data team
        raw bytea,                         -- the message (null: too big, not downloaded)
        status varchar not null,           -- held | released | dropped
        decided_at timestamptz,
        note varchar
    )""",
    """create table if not exists tuphap_private.mail_explanations (
        fingerprint varchar not null,
        taken_key varchar not null,
        unit_code varchar not null,
        sender varchar not null,
        message_id varchar,
        explanation varchar not null,
        explained_at timestamptz not null, -- the reply's INTERNALDATE
        primary key (fingerprint, taken_key)
    )""",
)


def ensure_store(con: Connection) -> None:
    for statement in DDL:
        con.execute(statement)


def taken_key(mailbox: str, uid_validity: int, uid: int) -> str:
    return f"{mailbox}|{uid_validity}|{uid}"


def held_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Taken:
    """One message as it is recorded taken."""

    key: str
    mailbox: str
    uid_validity: int
    uid: int
    message_id: str | None
    content_sha256: str | None
    internal_date: datetime
    sender: str | None
    subject: str
    outcome: str
    files: int
    notes: str  # JSON


def taken_uids(con: Connection, mailbox: str, uid_validity: int) -> set[int]:
    return {int(row[0]) for row in con.execute(
        "select uid from tuphap_private.mail_taken where mailbox = ? and uid_validity = ?",
        [mailbox, uid_validity]).fetchall()}


def known_contents(con: Connection, message_ids: Sequence[str]) -> dict[str, set[str | None]]:
    """Message-ID -> the content hashes taken under it (for the given Message-IDs)."""
    found: dict[str, set[str | None]] = {}
    if not message_ids:
        return found
    for message_id, sha in con.execute(
            "select message_id, content_sha256 from tuphap_private.mail_taken"
            " where message_id in (select unnest(cast(? as varchar[])))",
            [list(message_ids)]).fetchall():
        found.setdefault(message_id, set()).add(sha)
    return found


def taken_contents(con: Connection, shas: Sequence[str]) -> set[str]:
    """Those of `shas` taken before (a message known by its bytes, whatever its UID)."""
    if not shas:
        return set()
    return {row[0] for row in con.execute(
        "select content_sha256 from tuphap_private.mail_taken where content_sha256 in"
        " (select unnest(cast(? as varchar[])))", [list(shas)]).fetchall()}


def record_taken(con: Connection, taken: Taken, now: datetime) -> None:
    con.execute(
        "insert into tuphap_private.mail_taken (taken_key, mailbox, uid_validity, uid,"
        " message_id, content_sha256, internal_date, sender, subject, outcome, files, notes,"
        " taken_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
        [taken.key, taken.mailbox, taken.uid_validity, taken.uid, taken.message_id,
         taken.content_sha256, taken.internal_date, taken.sender, taken.subject,
         taken.outcome, taken.files, taken.notes, now])


def record_held(con: Connection, key: str, reason: str, raw: bytes | None) -> str:
    ident = held_id(key)
    con.execute("insert into tuphap_private.mail_held (held_id, taken_key, reason, raw, status)"
                " values (?, ?, ?, ?, 'held') on conflict do nothing", [ident, key, reason, raw])
    return ident


def record_explanations(con: Connection, key: str, rows: Sequence[dict]) -> None:
    for row in rows:
        con.execute(
            "insert into tuphap_private.mail_explanations (fingerprint, taken_key, unit_code,"
            " sender, message_id, explanation, explained_at) values (?, ?, ?, ?, ?, ?, ?)"
            " on conflict do nothing",
            [row["fingerprint"], key, row["unit_code"], row["sender"], row["message_id"],
             row["explanation"], row["explained_at"]])


def explanations(con: Connection) -> list[dict]:
    """Every explanation received, the latest of each issue last."""
    return query_dicts(con, "select fingerprint, unit_code, message_id, explanation,"
                            " explained_at from tuphap_private.mail_explanations"
                            " order by explained_at, fingerprint")


def held_messages(con: Connection, *, status: str | None = "held") -> list[dict]:
    """Held messages (those still held by default), oldest first; no bytes."""
    return query_dicts(
        con, "select h.held_id, h.reason, h.status, h.note, h.decided_at, t.sender, t.subject,"
             " t.internal_date, t.message_id, h.raw is not null as downloaded"
             " from tuphap_private.mail_held h join tuphap_private.mail_taken t"
             " on t.taken_key = h.taken_key where cast(? as varchar) is null or h.status = ?"
             " order by t.internal_date, h.held_id", [status, status])


def held_message(con: Connection, ident: str) -> dict | None:
    rows = query_dicts(
        con, "select h.held_id, h.status, h.raw, h.reason, t.internal_date, t.taken_key"
             " from tuphap_private.mail_held h join tuphap_private.mail_taken t"
             " on t.taken_key = h.taken_key where h.held_id = ?", [ident.strip().lower()])
    return rows[0] if rows else None


def decide_held(con: Connection, ident: str, status: str, note: str | None,
                now: datetime) -> None:
    con.execute("update tuphap_private.mail_held set status = ?, note = ?, decided_at = ?"
                " where held_id = ?", [status, note, now, ident])

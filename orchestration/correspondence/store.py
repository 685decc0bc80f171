"""The private store of correspondence (schema `tuphap_private`, WarehouseEngine.private_store):
the contacts register with its history, and every message to a unit with each delivery.

No reader may see it: it holds addresses (personal data). A message is recorded before it is
sent, under a key made of what it is about (`items`: a file's receipt, an issue, a reminder),
so planning it again after a crash finds it recorded and sends nothing new: a delivery still
`pending` is sent once more under the same Message-ID (mail clients show one message), a
`sent` one never again.
"""

from __future__ import annotations

import json
from collections.abc import (
    Iterator,
    Sequence,
)
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from ingest.contacts import Contact
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts

DDL = (
    """create table if not exists tuphap_private.contact_registers (
        sha256 varchar primary key,    -- of the register file's content
        read_at timestamptz not null,
        accepted boolean not null,     -- false: a row was wrong, the previous one stayed
        problems varchar not null,     -- JSON list of 'row N: why'
        contacts integer not null
    )""",
    """create table if not exists tuphap_private.contacts (
        register_sha256 varchar not null,
        unit_code varchar not null,    -- '' for the data team
        email varchar not null,
        name varchar,
        role varchar not null,         -- officer | head | data_team
        valid_from date,
        valid_to date
    )""",
    """create table if not exists tuphap_private.state (
        key varchar primary key,
        value varchar not null
    )""",
    """create table if not exists tuphap_private.messages (
        message_key varchar primary key,  -- sha256 of the unit and the items
        message_id varchar not null,      -- the Message-ID header, the same on every attempt
        kind varchar not null,            -- receipt | issue_reminder | deadline_reminder
        unit_code varchar not null,
        subject varchar not null,
        body varchar not null,
        items varchar not null,           -- JSON: what it is about (files, issues, reminders)
        attachment varchar,               -- JSON {unit_code, year}: the blank template
        created_at timestamptz not null
    )""",
    """create table if not exists tuphap_private.deliveries (
        message_key varchar not null,
        address varchar not null,
        role varchar not null,            -- to | cc
        status varchar not null,          -- pending | sent | failed | cancelled
        attempts integer not null,
        last_error varchar,
        sent_at timestamptz,
        primary key (message_key, address)
    )""",
    # The thread a message continues: what it replies to (RFC 5322 In-Reply-To, References).
    "alter table tuphap_private.messages add column if not exists in_reply_to varchar",
    "alter table tuphap_private.messages add column if not exists thread_refs varchar",
    # The unit's message an item came in (a mailed file `file:<sha256>`, an explanation
    # `explained:<fingerprint>`): what our answer about it replies to.
    """create table if not exists tuphap_private.mail_threads (
        item varchar primary key,
        message_id varchar not null,      -- the unit's message
        thread_refs varchar not null,     -- JSON list: its References and itself
        unit_code varchar not null,       -- the sender's unit
        recorded_at timestamptz not null
    )""",
    """create table if not exists tuphap_private.told (
        item varchar primary key,         -- e.g. receipt:<sha256>:<unit>, issue:<fingerprint>
        message_key varchar not null,
        told_at timestamptz not null
    )""",
)


def ensure_store(con: Connection) -> None:
    for statement in DDL:
        con.execute(statement)


# The register ------------------------------------------------------------------------------

def register_seen(con: Connection, sha256: str) -> dict | None:
    rows = query_dicts(con, "select accepted, problems from tuphap_private.contact_registers"
                            " where sha256 = ?", [sha256])
    return rows[0] if rows else None


def save_register(con: Connection, sha256: str, contacts: Sequence[Contact],
                  problems: Sequence[str], now: datetime) -> None:
    """Keep a register as read (its history), in one transaction; an accepted one's contacts
    too, and it becomes the register in force."""
    with transaction(con):
        con.execute("insert into tuphap_private.contact_registers"
                    " (sha256, read_at, accepted, problems, contacts) values (?, ?, ?, ?, ?)"
                    " on conflict do nothing",
                    [sha256, now, not problems, json.dumps(list(problems), ensure_ascii=False),
                     len(contacts)])
        if problems or not contacts:
            return
        columns = [list(c) for c in zip(*[(c.unit_code, c.email, c.name, c.role,
                                           _iso(c.valid_from), _iso(c.valid_to))
                                          for c in contacts], strict=True)]
        con.execute("insert into tuphap_private.contacts (register_sha256, unit_code, email,"
                    f" name, role, valid_from, valid_to) select ?, {_lists(4)},"
                    f" cast({_lists(1)} as date), cast({_lists(1)} as date)",
                    [sha256, *columns])
        set_state(con, IN_FORCE, sha256)


def _lists(count: int) -> str:
    """`count` list parameters, each unnested into a column (zipped, on both engines)."""
    return ", ".join(["unnest(cast(? as varchar[]))"] * count)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


IN_FORCE = "register_in_force"  # the state key: sha256 of the register in force


def register_in_force_now(con: Connection) -> tuple[str, tuple[Contact, ...]] | None:
    """The register in force (the last one accepted *as the file stood*: a file put back to
    an earlier good version brings that version back) and its contacts."""
    sha = state(con, IN_FORCE)
    if sha is None:
        return None
    contacts = query_dicts(con, "select unit_code, email, name, role, valid_from, valid_to"
                                " from tuphap_private.contacts where register_sha256 = ?",
                           [sha])
    return sha, tuple(Contact(r["unit_code"], r["email"], r["name"] or "", r["role"],
                              _day(r["valid_from"]), _day(r["valid_to"])) for r in contacts)


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def state(con: Connection, key: str) -> str | None:
    rows = con.execute("select value from tuphap_private.state where key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_state(con: Connection, key: str, value: str) -> None:
    con.execute("insert into tuphap_private.state (key, value) values (?, ?)"
                " on conflict (key) do update set value = excluded.value", [key, value])


def set_state_once(con: Connection, key: str, value: str) -> str:
    """Set `key` unless it is set; return its value."""
    con.execute("insert into tuphap_private.state (key, value) values (?, ?)"
                " on conflict do nothing", [key, value])
    return state(con, key) or value


# Messages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    address: str
    role: str  # to | cc


@dataclass(frozen=True)
class Planned:
    """A message to one unit, before it is recorded."""

    key: str
    message_id: str
    kind: str
    unit_code: str
    subject: str
    body: str
    items: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    attachment: dict | None = None
    in_reply_to: str | None = None  # the unit's message this answers
    references: tuple[str, ...] = ()


def told_items(con: Connection, prefix: str) -> set[str]:
    return {row[0] for row in con.execute(
        "select item from tuphap_private.told where starts_with(item, ?)", [prefix]).fetchall()}


def last_told(con: Connection, prefix: str) -> dict[str, datetime]:
    """item -> when it was told, for the items starting with `prefix`."""
    return {row[0]: row[1] for row in con.execute(
        "select item, told_at from tuphap_private.told where starts_with(item, ?)",
        [prefix]).fetchall()}


def record(con: Connection, messages: Sequence[Planned], now: datetime) -> None:
    """Record planned messages, their deliveries (pending) and what they tell: idempotent.
    Three statements whatever the number of messages (lists unnested: a national load plans
    ~130 messages, and a statement costs DuckDB milliseconds)."""
    if not messages:
        return
    columns = list(zip(*[(m.key, m.message_id, m.kind, m.unit_code, m.subject, m.body,
                          json.dumps(list(m.items)),
                          json.dumps(m.attachment) if m.attachment else None,
                          m.in_reply_to, json.dumps(list(m.references)))
                         for m in messages], strict=True))
    con.execute(
        "insert into tuphap_private.messages (message_key, message_id, kind, unit_code,"
        " subject, body, items, attachment, in_reply_to, thread_refs, created_at)"
        f" select {_lists(10)}, ? on conflict do nothing", [*(list(c) for c in columns), now])
    deliveries = [(m.key, r.address, r.role) for m in messages for r in m.recipients]
    if deliveries:
        keys, addresses, roles = (list(c) for c in zip(*deliveries, strict=True))
        con.execute("insert into tuphap_private.deliveries (message_key, address, role,"
                    f" status, attempts) select {_lists(3)}, 'pending', 0"
                    " on conflict do nothing", [keys, addresses, roles])
    told = [(item, m.key) for m in messages for item in m.items]
    items, keys = (list(c) for c in zip(*told, strict=True))
    con.execute("insert into tuphap_private.told (item, message_key, told_at)"
                f" select {_lists(2)}, ? on conflict do nothing", [items, keys, now])


def undelivered(con: Connection) -> list[dict]:
    """Every message with a delivery not yet made (pending, or failed: retried), oldest
    first, with those deliveries."""
    rows = query_dicts(
        con, "select m.message_key, m.message_id, m.kind, m.unit_code, m.subject, m.body,"
             " m.attachment, m.in_reply_to, m.thread_refs, m.created_at, d.address, d.role,"
             " d.attempts"
             " from tuphap_private.messages m join tuphap_private.deliveries d"
             " on d.message_key = m.message_key where d.status in ('pending', 'failed')"
             " order by m.created_at, m.message_key, d.address")
    by_key: dict[str, dict] = {}
    for row in rows:
        message = by_key.setdefault(row["message_key"], {**row, "recipients": []})
        message["recipients"].append(Recipient(row["address"], row["role"]))
    return list(by_key.values())


def mark(con: Connection, message_key: str, address: str, *, ok: bool, error: str | None,
         now: datetime, cancelled: bool = False) -> None:
    status = "cancelled" if cancelled else "sent" if ok else "failed"
    con.execute("update tuphap_private.deliveries set status = ?, attempts = attempts + 1,"
                " last_error = ?, sent_at = ? where message_key = ? and address = ?",
                [status, error, now if ok else None, message_key, address])


def record_thread(con: Connection, item: str, message_id: str, references: Sequence[str],
                  unit_code: str, now: datetime) -> None:
    """The unit's message `item` came in: our answer about it replies to it (latest wins)."""
    con.execute("insert into tuphap_private.mail_threads (item, message_id, thread_refs,"
                " unit_code, recorded_at) values (?, ?, ?, ?, ?) on conflict (item) do update"
                " set message_id = excluded.message_id, thread_refs = excluded.thread_refs,"
                " unit_code = excluded.unit_code, recorded_at = excluded.recorded_at",
                [item, message_id, json.dumps(list(references)), unit_code, now])


def threads(con: Connection, prefix: str) -> dict[str, dict]:
    """item -> {message_id, references, unit_code} for the items starting with `prefix`."""
    return {row["item"]: {"message_id": row["message_id"],
                          "references": tuple(json.loads(row["thread_refs"])),
                          "unit_code": row["unit_code"]}
            for row in query_dicts(con, "select item, message_id, thread_refs, unit_code from"
                                        " tuphap_private.mail_threads where"
                                        " starts_with(item, ?)", [prefix])}


def message_ids(con: Connection, items: Sequence[str]) -> dict[str, str]:
    """item -> the Message-ID of the message that told it (for threading an answer)."""
    if not items:
        return {}
    return {row[0]: row[1] for row in con.execute(
        "select t.item, m.message_id from tuphap_private.told t join tuphap_private.messages m"
        " on m.message_key = t.message_key where t.item in"
        " (select unnest(cast(? as varchar[])))", [list(items)]).fetchall()}


@contextmanager
def transaction(con: Connection) -> Iterator[None]:
    """One transaction on a store connection (each statement commits on its own otherwise)."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")

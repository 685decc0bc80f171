"""When files that came by another way than the folder arrived: a file taken from the mailbox
counts as received when the mailbox received its message (its IMAP INTERNALDATE), not when a
load first saw it (unit-correspondence.md, "Reports by e-mail"; the sender's `Date` header can
say anything). Kept by content (sha256) in the private store, because the same bytes are one
received file wherever they came from; the earliest arrival counts.

Only a load with a mailbox configured reads it (no private store is made for the demo).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from orchestration.warehouse.engine import Connection, WarehouseEngine

MAIL_FOLDER = "e-mail"  # under the inbox: e-mail/<day received>/<message>/<file>

DDL = """create table if not exists tuphap_private.file_arrivals (
    sha256 varchar primary key,
    arrived_at timestamptz not null,   -- the message's INTERNALDATE
    channel varchar not null           -- e-mail
)"""


def record_arrivals(con: Connection, arrivals: Sequence[tuple[str, datetime]],
                    channel: str = "e-mail") -> None:
    """Record (sha256, arrived at) pairs; an earlier arrival of the same content wins."""
    con.execute(DDL)
    for sha256, arrived_at in arrivals:
        con.execute("insert into tuphap_private.file_arrivals (sha256, arrived_at, channel)"
                    " values (?, ?, ?) on conflict (sha256) do update set arrived_at ="
                    " least(file_arrivals.arrived_at, excluded.arrived_at)",
                    [sha256, arrived_at, channel])


def arrival_times(engine: WarehouseEngine) -> dict[str, datetime]:
    """sha256 -> when it arrived, for every file that came by mail."""
    with engine.private_store() as con:
        con.execute(DDL)
        return {row[0]: row[1] for row in con.execute(
            "select sha256, arrived_at from tuphap_private.file_arrivals").fetchall()}


def mailed(source_file: str) -> bool:
    """Whether a received file (its name in the inbox) came as an e-mail attachment."""
    return source_file.startswith(f"{MAIL_FOLDER}/")


def shown_name(source_file: str) -> str:
    """The name a unit knows a received file by: a mailed file's attachment name, not the
    folder of the inbox the pull put it in."""
    return source_file.rsplit("/", 1)[-1] if mailed(source_file) else source_file

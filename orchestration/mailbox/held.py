"""What was held for the data team (`tuphap held`): listed, released into the inbox, dropped.

A released message's report files go into the inbox as a mailed file does (pull.py), received
when the message arrived; they load like any other file, and their unit hears about them as
for any file (its receipt is not a reply to the message: a held sender is never answered
automatically). A message too big to be downloaded was never stored: it is fetched by hand
(the list says so)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.contacts import mask
from ingest.errors import TuphapError
from ingest.mail import parse_message
from orchestration.correspondence.compose import VIETNAM
from orchestration.correspondence.store import transaction
from orchestration.ingest.arrivals import MAIL_FOLDER, record_arrivals
from orchestration.mailbox import store
from orchestration.mailbox.pull import write_files
from orchestration.warehouse.engine import WarehouseEngine


class HeldError(TuphapError, LookupError):
    """No such held message, or it cannot be released (the message says why)."""


def listed(engine: WarehouseEngine, *, everything: bool = False) -> list[dict]:
    with engine.private_store() as con:
        store.ensure_store(con)
        return store.held_messages(con, status=None if everything else "held")


def format_held(rows: Sequence[dict]) -> str:
    """One block per message: ID, when it arrived, who (masked), subject, why."""
    if not rows:
        return "Nothing held."
    out = []
    for row in rows:
        when = row["internal_date"].astimezone(VIETNAM)
        status = "" if row["status"] == "held" else f" [{row['status']}: {row['note'] or ''}]"
        out += [f"{row['held_id']}  {when:%d/%m/%Y %H:%M}  from {mask(row['sender'] or '')}"
                f"  {row['subject'] or '(no subject)'}{status}",
                f"          held: {row['reason']}"
                + ("" if row["downloaded"] else " (not stored: save it into the inbox by"
                   " hand from the mailbox)")]
    out.append(f"{len(rows)} message(s). Release: tuphap held release ID; drop: tuphap held"
               " drop ID --note TEXT")
    return "\n".join(out)


def release(engine: WarehouseEngine, ident: str, inbox: Path) -> list[str]:
    """Put the held message's report files in the inbox; return their names in it."""
    with engine.private_store() as con:
        store.ensure_store(con)
        held = store.held_message(con, ident)
        if held is None or held["status"] != "held":
            raise HeldError(f"no message held under {ident} (tuphap held list)")
        if held["raw"] is None:
            raise HeldError(f"{ident} was not downloaded (too big): save its attachment into"
                            " the inbox by hand, then drop it here")
        raw = bytes(held["raw"])
        inbound = parse_message(raw)
        if not inbound.attachments:
            raise HeldError(f"{ident} has no report file to release: drop it instead")
        sha = hashlib.sha256(raw).hexdigest()
        day = held["internal_date"].astimezone(VIETNAM)
        folder = inbox / MAIL_FOLDER / f"{day:%Y-%m-%d}" / sha[:12]
        written = write_files(folder, inbound.attachments)
        with transaction(con):
            record_arrivals(con, [(digest, held["internal_date"]) for digest, _ in written])
            store.decide_held(con, held["held_id"], "released", None, datetime.now(UTC))
    return [path.relative_to(inbox).as_posix() for _, path in written]


def drop(engine: WarehouseEngine, ident: str, note: str) -> None:
    with engine.private_store() as con:
        store.ensure_store(con)
        held = store.held_message(con, ident)
        if held is None or held["status"] != "held":
            raise HeldError(f"no message held under {ident} (tuphap held list)")
        store.decide_held(con, held["held_id"], "dropped", note.strip(), datetime.now(UTC))

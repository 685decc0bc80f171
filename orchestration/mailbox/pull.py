"""One pull of the mailbox: every message not taken yet, taken once, ever.

For each new message, in UID order: its structure first (an attachment over the limit is held
without being downloaded), then its bytes; a Message-ID already taken with the same content is
the same message (after a UIDVALIDITY change, or a copy) and is taken as a duplicate with no
effect, with other content it is held. Then it is read (ingest/mail), its report files read as
the load would read them (to know their unit), and decided (decide.py).

Crash safety, in this order: the accepted files are written into the inbox and synced (a
name fixed by the message: writing them again writes the same bytes to the same names), then
everything about the message is recorded in one transaction of the private store (taken,
arrivals, held, explanations, the thread its receipt replies to). A crash before the record
takes the message again at the next pull and changes nothing; after it, the message is known.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.contacts import Contact, mask_addresses
from ingest.limits import Limits
from ingest.mail import Attachment, Inbound, parse_message
from ingest.parse import parse_file
from ingest.reference import Registry
from orchestration.correspondence import store as letters
from orchestration.correspondence.compose import VIETNAM
from orchestration.correspondence.register import register_in_force
from orchestration.ingest.arrivals import MAIL_FOLDER, record_arrivals
from orchestration.mailbox import store
from orchestration.mailbox.address import MailboxSettings
from orchestration.mailbox.decide import Decision, ReadFile, decide
from orchestration.mailbox.explain import explanation_receipt
from orchestration.mailbox.imap import Envelope, Mailbox, MailboxUnreachableError
from orchestration.warehouse.engine import Connection, WarehouseEngine, WarehouseMissingError
from orchestration.warehouse.sql import table_exists


@dataclass
class PullResult:
    mailbox: str
    new: int = 0  # messages not taken before
    taken: int = 0  # of them, taken by this pull (all, unless the mailbox was lost mid-way)
    accepted: int = 0
    files: int = 0  # report files put in the inbox
    explained: int = 0  # issues explained
    duplicates: int = 0
    held: list[dict] = field(default_factory=list)  # id, reason
    error: str | None = None  # the mailbox could not be read (the load goes on)

    def summary(self) -> str:
        """One line for the data team (English, no address)."""
        if self.error and not self.taken:
            return f"mailbox: not read this time ({self.error})"
        parts = [f"mailbox {self.mailbox}: {self.new} new message(s)"]
        if self.error:  # lost mid-way: what was taken is kept, the rest comes next time
            parts[0] += (f", {self.taken} taken before the connection was lost (the other"
                         f" {self.new - self.taken} at the next pull: {self.error})")
        if self.new:
            parts.append(f"{self.files} report file(s) from {self.accepted}")
            parts.append(f"{self.explained} issue(s) explained")
            parts.append(f"{len(self.held)} held for the data team (tuphap held list)")
        if self.duplicates:
            parts.append(f"{self.duplicates} already taken")
        return "; ".join(parts)


@dataclass(frozen=True)
class Context:
    """What a pull decides with."""

    inbox: Path
    contacts: Sequence[Contact]
    registry: Registry
    scope: str
    limits: Limits
    issues: dict[str, str]  # fingerprint -> unit code
    now: datetime


def issues_by_fingerprint(engine: WarehouseEngine) -> dict[str, str]:
    """fingerprint -> unit code of every issue the published warehouse holds."""
    try:
        with engine.read_only() as con:
            if not table_exists(con, "main", "dq_issues"):
                return {}
            return dict(con.execute("select fingerprint, unit_code from main.dq_issues"
                                    ).fetchall())
    except WarehouseMissingError:
        return {}


def read_files(attachments: Sequence[Attachment], ctx: Context) -> list[ReadFile]:
    """Each report file with the units it is read as, by the parser the load uses."""
    found = []
    with tempfile.TemporaryDirectory(prefix="tuphap-mail-") as folder:
        for index, attachment in enumerate(attachments):
            path = Path(folder) / f"{index}-{attachment.name}"
            path.write_bytes(attachment.data)
            parsed = parse_file(path, source_name=attachment.name, registry=ctx.registry,
                                scope=ctx.scope, limits=ctx.limits)
            units = {s.unit_code for s in parsed.submissions}
            if parsed.rejection is not None and parsed.rejection.unit_code:
                units.add(parsed.rejection.unit_code)
            found.append(ReadFile(attachment, tuple(sorted(units))))
    return found


def file_names(attachments: Sequence[Attachment]) -> list[str]:
    """Names unique within the message (a second `bao cao.xlsx` becomes `2-bao cao.xlsx`)."""
    names: list[str] = []
    for attachment in attachments:
        name = attachment.name
        while name in names:
            name = f"{len(names) + 1}-{attachment.name}"
        names.append(name)
    return names


def write_files(folder: Path, attachments: Sequence[Attachment]) -> list[tuple[str, Path]]:
    """Write the files into `folder`, each atomically and on disk; (sha256, path) each."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, attachment in zip(file_names(attachments), attachments, strict=True):
        target = folder / name
        fd, partial = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as sink:
                sink.write(attachment.data)
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        written.append((hashlib.sha256(attachment.data).hexdigest(), target))
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return written


def message_folder(inbox: Path, envelope: Envelope, content_sha: str) -> Path:
    day = envelope.internal_date.astimezone(VIETNAM)
    return inbox / MAIL_FOLDER / f"{day:%Y-%m-%d}" / content_sha[:12]


def _record(con: Connection, taken: store.Taken, decision: Decision, inbound: Inbound,
            raw: bytes | None, written: Sequence[tuple[str, Path]], ctx: Context,
            result: PullResult) -> None:
    with letters.transaction(con):
        store.record_taken(con, taken, ctx.now)
        if decision.outcome == "held":
            ident = store.record_held(con, taken.key, decision.reason, raw)
            result.held.append({"id": ident, "reason": mask_addresses(decision.reason)})
            return
        record_arrivals(con, [(sha, taken.internal_date) for sha, _ in written])
        if inbound.message_id:
            references = (*inbound.references, inbound.message_id)
            for sha, _ in written:
                letters.record_thread(con, f"file:{sha}", inbound.message_id, references,
                                      decision.unit_code or "", ctx.now)
        rows = [{"fingerprint": fingerprint, "unit_code": unit, "sender": inbound.sender,
                 "message_id": inbound.message_id, "explanation": inbound.text,
                 "explained_at": taken.internal_date}
                for fingerprint, unit in decision.explanations]
        store.record_explanations(con, taken.key, rows)
        if rows and inbound.message_id:
            references = (*inbound.references, inbound.message_id)
            for fingerprint, _ in decision.explanations:  # what `tuphap reopen` replies to
                letters.record_thread(con, f"explained:{fingerprint}", inbound.message_id,
                                      references, decision.unit_code or "", ctx.now)
            letters.record(con, [explanation_receipt(
                decision, inbound, ctx.contacts, ctx.registry, taken.key,
                ctx.now.astimezone(VIETNAM).date(), taken.internal_date)], ctx.now)
    result.accepted += decision.outcome == "accepted"
    result.files += len(written)
    result.explained += len(decision.explanations)


def take(con: Connection, box: Mailbox, envelope: Envelope, mail: MailboxSettings,
         ctx: Context, result: PullResult, before_record: Callable[[], None] | None) -> None:
    """Take one message (module doc)."""
    label = mail.address.label
    key = store.taken_key(label, box.uid_validity, envelope.uid)

    def taken(outcome: str, sha: str | None, inbound: Inbound | None, files: int = 0,
              notes: Sequence[str] = ()) -> store.Taken:
        return store.Taken(key, label, box.uid_validity, envelope.uid,
                           (inbound.message_id if inbound else None) or envelope.message_id,
                           sha, envelope.internal_date, inbound.sender if inbound else None,
                           inbound.subject if inbound else "", outcome, files,
                           json.dumps(list(notes), ensure_ascii=False))

    if envelope.largest_part > mail.max_attachment_bytes:
        mb = envelope.largest_part / (1024 * 1024)
        decision = Decision("held", f"an attachment of {mb:.1f} MB, over the limit of "
                            f"{mail.max_attachment_bytes // (1024 * 1024)} MB"
                            " (TUPHAP_MAX_ATTACHMENT_MB): not downloaded")
        _record(con, taken("held", None, None), decision, _EMPTY, None, [], ctx, result)
        return
    raw = box.body(envelope.uid)
    if raw is None:
        return  # expunged meanwhile
    sha = hashlib.sha256(raw).hexdigest()
    seen = store.known_contents(con, [envelope.message_id] if envelope.message_id else [])
    if sha in store.taken_contents(con, [sha]) or sha in seen.get(envelope.message_id or "",
                                                                  set()):
        store.record_taken(con, taken("duplicate", sha, None), ctx.now)
        result.duplicates += 1
        return
    inbound = parse_message(raw, ctx.limits)
    if seen:
        decision = Decision("held", f"a message with the Message-ID {envelope.message_id}"
                                    " but other content was taken before")
    else:
        decision = decide(inbound, read_files(inbound.attachments, ctx),
                          contacts=ctx.contacts, registry=ctx.registry,
                          day=ctx.now.astimezone(VIETNAM).date(), issues=ctx.issues,
                          require_dmarc=mail.require_dmarc)
    written = (write_files(message_folder(ctx.inbox, envelope, sha), decision.files)
               if decision.files else [])
    if before_record is not None:
        before_record()
    notes = [*inbound.notes, *inbound.problems]
    _record(con, taken(decision.outcome, sha, inbound, len(written), notes), decision, inbound,
            raw, written, ctx, result)


_EMPTY = parse_message(b"")


def pull(engine: WarehouseEngine, mail: MailboxSettings, *, inbox: Path,
         contacts_path: Path | None, registry: Registry, scope: str, limits: Limits,
         now: datetime, before_record: Callable[[], None] | None = None) -> PullResult:
    """Take every new message of the mailbox (module doc). A mailbox that cannot be read is
    said in the result, never raised: the rest of the load goes on."""
    result = PullResult(mail.address.label)
    issues = issues_by_fingerprint(engine)
    with engine.private_store() as con:
        letters.ensure_store(con)
        store.ensure_store(con)
        register = register_in_force(con, contacts_path, registry, now)
        ctx = Context(inbox, register.contacts, registry, scope, limits, issues, now)
        try:
            with Mailbox(mail.address, mail.password) as box:
                taken = store.taken_uids(con, mail.address.label, box.uid_validity)
                new = [uid for uid in box.uids() if uid not in taken]
                result.new = len(new)
                for envelope in list(box.envelopes(new)):
                    take(con, box, envelope, mail, ctx, result, before_record)
                    result.taken += 1
        except MailboxUnreachableError as error:
            result.error = str(error)
    return result


"""Sending the recorded messages over SMTP, each delivery marked as it went.

Only addresses of the register in force are ever written to: a delivery to an address that
left the register is cancelled, not sent. Every failure (a refused recipient, a server that
is down) is recorded with its reason and retried at the next load or reminder tick; nothing
here raises for a failed send, and no error text carries a password.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime

from ingest.contacts import mask_addresses
from orchestration.correspondence import store
from orchestration.quality.alerts import SmtpChannel, scrub
from orchestration.warehouse.engine import Connection

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
Attach = Callable[[dict], bytes]  # the blank template of {unit_code, year}
RETRY_DAYS = 14  # a delivery still failing after this is given up (and shown as such)


@dataclass
class Sent:
    """What one sending pass did, for the asset's metadata and the load summary."""

    messages: int = 0  # messages with at least one delivery made this pass
    units: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)  # "STP-12 c***@...: why"
    cancelled: int = 0


def message_bytes(row: dict, sender: str, attach: Attach | None,
                  reply_to: Sequence[str] = ()) -> bytes:
    """The message as sent. The subject is encoded by `email.header.Header`: the modern
    policy's folding drops the space between two encoded words ("tỉnhTuyên Quang" in every
    mail client, CPython 3.11), Header keeps spaces inside the encoded words."""
    subject = Header(row["subject"], "utf-8", header_name="Subject").encode(linesep="\r\n")
    message = build_message(row, sender, attach)
    if reply_to:  # the data team reads the units' answers
        message["Reply-To"] = ", ".join(reply_to)
    body = message.as_bytes(policy=policy.SMTP)
    return f"Subject: {subject}\r\n".encode("ascii") + body


def build_message(row: dict, sender: str, attach: Attach | None) -> EmailMessage:
    """Everything but the subject (message_bytes adds it)."""
    msg = EmailMessage()
    msg["From"] = sender
    to = [r.address for r in row["recipients"] if r.role == "to"]
    cc = [r.address for r in row["recipients"] if r.role == "cc"]
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = format_datetime(row["created_at"])
    msg["Message-ID"] = row["message_id"]
    if row.get("in_reply_to"):  # an answer on the unit's thread (RFC 5322 3.6.4, RFC 3834)
        references = json.loads(row.get("thread_refs") or "[]") or [row["in_reply_to"]]
        msg["In-Reply-To"] = row["in_reply_to"]
        msg["References"] = " ".join(references)
        msg["Auto-Submitted"] = "auto-replied"
    else:
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    msg.set_content(row["body"], subtype="plain", charset="utf-8", cte="quoted-printable")
    if row.get("attachment") and attach is not None:
        wanted = json.loads(row["attachment"])
        msg.add_attachment(attach(wanted), maintype=XLSX[0], subtype=XLSX[1],
                           filename=wanted["file_name"])
    return msg


def send_undelivered(con: Connection, server: SmtpChannel | None,
                     may_receive: Callable[[str], frozenset[str]], now: datetime,
                     attach: Attach | None = None, reply_to: Sequence[str] = ()) -> Sent:
    """Send every delivery not yet made (this pass's and the ones that failed before), on one
    SMTP session, each marked as soon as it went. `may_receive(unit)`: the addresses the
    register in force allows for that unit today; any other delivery is cancelled. A delivery
    failing for RETRY_DAYS is cancelled too (a reminder weeks late says what is no longer true);
    after a failure of the server itself the pass tries no further message."""
    sent = Sent()
    with _Session(server, reply_to) as session:
        for row in store.undelivered(con):
            allowed = may_receive(row["unit_code"])
            expired = now - row["created_at"] > timedelta(days=RETRY_DAYS)
            live = [] if expired else [r for r in row["recipients"]
                                       if r.address.lower() in allowed]
            for gone in (r for r in row["recipients"] if r not in live):
                store.mark(con, row["message_key"], gone.address, ok=False, now=now,
                           cancelled=True,
                           error=f"not delivered in {RETRY_DAYS} days: given up" if expired
                           else "not (or no longer) in the contacts register for this unit")
                sent.cancelled += 1
            if not live:
                continue
            row = {**row, "recipients": live}
            refused, error = session.send(row, attach)
            for r in live:
                why = refused.get(r.address) if error is None else error
                store.mark(con, row["message_key"], r.address, ok=why is None, error=why,
                           now=now)
                if why is not None:
                    sent.failed.append(mask_addresses(f"{row['unit_code']} {r.address}: {why}"))
            if error is None and len(refused) < len(live):
                sent.messages += 1
                sent.units.add(row["unit_code"])
    return sent


def _refusals(found: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    return {address: f"refused: {code} {reason.decode(errors='replace')}"
            for address, (code, reason) in found.items()}


class _Session:
    """One SMTP connection for a pass: connected at the first message, again after an error."""

    def __init__(self, server: SmtpChannel | None, reply_to: Sequence[str] = ()) -> None:
        self.server = server
        self.reply_to = reply_to
        self.smtp: smtplib.SMTP | None = None
        self.broken: str | None = None  # the server failed: nothing more is tried this pass

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def _connect(self, server: SmtpChannel) -> smtplib.SMTP:
        if self.smtp is None:
            smtp_class = smtplib.SMTP_SSL if server.port == 465 else smtplib.SMTP
            smtp = smtp_class(server.host, server.port, timeout=server.timeout_seconds)
            if server.starttls and smtp_class is smtplib.SMTP:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, server.password or "")
            self.smtp = smtp
        return self.smtp

    def send(self, row: dict, attach: Attach | None) -> tuple[dict[str, str], str | None]:
        """(refused address -> why, or an error for the whole message)."""
        server = self.server
        if server is None:
            return {}, "no SMTP server configured (TUPHAP_SMTP_HOST)"
        if self.broken is not None:
            return {}, f"not tried: {self.broken}"
        if row.get("attachment") and attach is None:
            return {}, "its blank template cannot be made in this pass: sent by the next tick"
        try:
            message = message_bytes(row, server.sender, attach, self.reply_to)
            refused = self._connect(server).sendmail(
                server.sender, [r.address for r in row["recipients"]], message)
            return _refusals(refused), None
        except smtplib.SMTPRecipientsRefused as exc:
            return _refusals(exc.recipients), None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                smtplib.SMTPAuthenticationError, OSError) as exc:
            self._close()
            self.broken = mask_addresses(scrub(f"{type(exc).__name__}: {exc}",
                                               server.secrets()))
            return {}, self.broken
        except Exception as exc:  # noqa: BLE001 - a failed send is recorded and retried
            self._close()
            return {}, mask_addresses(scrub(f"{type(exc).__name__}: {exc}", server.secrets()))


def describe_failures(failed: Sequence[str], limit: int = 5) -> str:
    shown = "; ".join(failed[:limit])
    return shown + (f"; and {len(failed) - limit} more" if len(failed) > limit else "")

"""A message as the mailbox received it (RFC 5322 bytes) -> what the warehouse needs of it.

Pure: bytes in, an `Inbound` out, never an exception. Mail from units is not always well
formed: a wrong or missing charset, an unknown one (`x-viet`), a broken MIME structure, a
message of 0 bytes. Whatever cannot be read is said in `problems` (English, for the data team)
and the rest is still read: a broken text part does not lose an attachment.

Nothing in a message is executed or followed: the HTML of an HTML-only message is turned into
text by a parser that fetches nothing (text.py), attachments are only bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr

from ingest.limits import Limits
from ingest.mail.attachments import Attachment, report_files
from ingest.mail.names import DEFAULT_NAME, decode_bytes, repair, safe_name
from ingest.mail.text import html_to_text, split_reply, tokens

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_DMARC = re.compile(r"\bdmarc\s*=\s*([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Inbound:
    """What one received message says, as far as it could be read."""

    message_id: str | None  # "<...>"
    sender: str | None  # the From address, lower-cased
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str  # the new text: quoted text and signature stripped
    tokens: tuple[str, ...]  # issue tokens of the subject and the new text
    attachments: tuple[Attachment, ...]  # report files, zips expanded
    notes: tuple[str, ...]  # attachments not taken, and why
    problems: tuple[str, ...]  # what could not be read
    dmarc: str | None  # the receiving server's DMARC result: pass, fail, none, ...
    auto_submitted: bool  # an automatic message (RFC 3834): an out-of-office reply, ...


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
        return repair(str(value)) if value is not None else ""
    except (LookupError, ValueError, TypeError, IndexError) as error:
        problems.append(f"header {name} cannot be decoded ({error})")
        raw = message.get_all(name, failobj=[])
        return repair(str(raw[0])) if raw else ""


def _content(part: Message, problems: list[str]) -> str:
    """A text part's text; a wrong or unknown charset decoded as well as possible."""
    try:
        text = str(part.get_content())  # type: ignore[attr-defined]
        if "\ufffd" not in text:
            return text
        why = "has bytes that are not in it"
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError) as error:
        why, text = str(error), ""
    problems.append(f"text part: charset {part.get_content_charset()!r} {why};"
                    " read as UTF-8 or cp1258")
    payload = part.get_payload(decode=True)
    return decode_bytes(payload) if isinstance(payload, bytes) else text


def _body(message: EmailMessage, problems: list[str]) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        problems.append(f"the message's structure cannot be read ({error})")
        part = None
    if part is None:
        return ""
    text = _content(part, problems)
    return html_to_text(text) if part.get_content_subtype() == "html" else text


_RAW_NAME = re.compile(r'\b(?:file)?name\s*=\s*"?([^";\r\n]+)', re.IGNORECASE)


def _filename(part: Message, problems: list[str]) -> str | None:
    """The attachment's name: decoded by the email package when it follows the standards;
    else taken from the raw header, its bytes decoded as names.decode_bytes says."""
    try:
        name = part.get_filename()
    except (LookupError, UnicodeError, ValueError, TypeError) as error:
        problems.append(f"an attachment's name cannot be decoded ({error})")
        name = None
    if name and "\ufffd" not in name:
        return repair(name)
    for header, value in part.raw_items():
        if header.lower() in ("content-disposition", "content-type"):
            found = _RAW_NAME.search(str(value))
            if found:
                return repair(found.group(1).strip())
    return repair(name) if name else None


def _attachments(message: Message, limits: Limits, problems: list[str]
                 ) -> tuple[list[Attachment], list[str]]:
    files: list[Attachment] = []
    notes: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = _filename(part, problems)
        disposition = (part.get_content_disposition() or "").lower()
        if name is None and disposition != "attachment":
            continue  # the text of the message, an inline image without a name
        shown = safe_name(name) if name else DEFAULT_NAME
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError, AssertionError) as error:
            problems.append(f"{shown}: cannot be decoded ({error})")
            continue
        if not isinstance(data, bytes) or not data:
            notes.append(f"{shown}: empty")
            continue
        found = report_files(shown, data, limits)
        files.extend(found.files)
        notes.extend(found.notes)
    return files, notes


def parse_message(raw: bytes, limits: Limits | None = None) -> Inbound:
    """Everything the warehouse reads from a message (module doc)."""
    limits = limits or Limits()
    problems: list[str] = []
    if not raw.strip():
        return Inbound(None, None, "", None, (), "", (), (), (), ("the message is empty",),
                       None, False)
    try:
        message = message_from_bytes(raw, policy=policy.default)
    except Exception as error:  # noqa: BLE001 - a message that breaks the parser is recorded
        return Inbound(None, None, "", None, (), "", (), (), (),
                       (f"the message cannot be parsed ({type(error).__name__})",), None, False)
    for defect in getattr(message, "defects", []):
        problems.append(f"MIME: {type(defect).__name__}")
    subject = _header(message, "Subject", problems)
    sender = parseaddr(_header(message, "From", problems))[1].strip().lower() or None
    message_ids = _MESSAGE_ID.findall(_header(message, "Message-ID", problems))
    in_reply = _MESSAGE_ID.findall(_header(message, "In-Reply-To", problems))
    references = tuple(_MESSAGE_ID.findall(_header(message, "References", problems)))
    body = _body(message, problems)
    written, quoted = split_reply(body)
    found = tokens(subject + "\n" + written)
    if not found and len(tokens(quoted)) == 1:
        found = tokens(quoted)  # a reply to a message about one issue, token left quoted
    files, notes = _attachments(message, limits, problems)
    # Only the topmost Authentication-Results: the one our own server added on receipt.
    results = message.get_all("Authentication-Results", failobj=[])
    dmarc = _DMARC.search(str(results[0])) if results else None
    auto = _header(message, "Auto-Submitted", problems).strip().lower()
    return Inbound(
        message_id=message_ids[0] if message_ids else None, sender=sender,
        subject=subject.strip(), in_reply_to=in_reply[0] if in_reply else None,
        references=references, text=written, tokens=found, attachments=tuple(files),
        notes=tuple(notes), problems=tuple(dict.fromkeys(problems)),
        dmarc=dmarc.group(1).lower() if dmarc else None,
        auto_submitted=bool(auto) and auto != "no",
    )


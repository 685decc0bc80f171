"""The mailbox, read-only, over IMAP (IMAPClient: it parses BODYSTRUCTURE and INTERNALDATE,
which the standard library's imaplib leaves as raw text, and imap-tools does not expose).

Nothing here changes the mailbox: the folder is opened with EXAMINE (read-only: the server
itself refuses to set a flag), and messages are fetched with BODY.PEEK, which does not set
\\Seen even where a server ignores the read-only open. A message's size and the size of each
of its parts come from its structure (BODYSTRUCTURE) before its body is downloaded, so an
attachment over the limit is never downloaded at all.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from ingest.contacts import mask_addresses
from ingest.errors import TuphapError
from orchestration.mailbox.address import MailboxAddress

TIMEOUT_SECONDS = 60
FETCH_CHUNK = 200  # messages described per FETCH command
_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


class MailboxUnreachableError(TuphapError, ConnectionError):
    """The mailbox cannot be read now: a wrong password, a server gone, TLS refused."""


@dataclass(frozen=True)
class Envelope:
    """What the server says of a message before it is downloaded."""

    uid: int
    size: int  # RFC822.SIZE
    internal_date: datetime  # when the mailbox received it (aware)
    message_id: str | None
    largest_part: int  # decoded size of its largest leaf part, estimated from BODYSTRUCTURE


def decoded_size(encoding: Any, size: int) -> int:
    """A part's decoded size from its encoded size: base64 carries 3 bytes in 4."""
    name = encoding.decode() if isinstance(encoding, bytes) else str(encoding or "")
    return size * 3 // 4 if name.lower() == "base64" else size


def largest_part(structure: Any) -> int:
    """The largest decoded leaf part of a BODYSTRUCTURE (IMAPClient's parsed tuples)."""
    if structure is None:
        return 0
    if isinstance(structure, tuple | list) and structure and \
            isinstance(structure[0], tuple | list):  # multipart: its parts first
        return max((largest_part(part) for part in structure[0]), default=0)
    try:
        return decoded_size(structure[5], int(structure[6]))
    except (IndexError, TypeError, ValueError):
        return 0


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _message_id(header: bytes | None) -> str | None:
    text = (header or b"").decode("ascii", errors="replace")
    start, end = text.find("<"), text.find(">")
    return text[start:end + 1] if 0 <= start < end else None


class Mailbox:
    """with Mailbox(address, password) as box: box.uid_validity, box.uids(), ..."""

    def __init__(self, address: MailboxAddress, password: str) -> None:
        self.address = address
        self.password = password
        self.client: IMAPClient | None = None
        self.uid_validity = 0

    def _fail(self, error: BaseException) -> MailboxUnreachableError:
        text = mask_addresses(f"{type(error).__name__}: {error}")
        if self.password:
            text = text.replace(self.password, "***")
        return MailboxUnreachableError(f"mailbox {self.address.label}: {text}")

    def __enter__(self) -> Mailbox:
        address = self.address
        try:
            context = ssl.create_default_context()
            client = IMAPClient(address.host, port=address.port,
                                ssl=address.tls == "implicit", ssl_context=context,
                                timeout=TIMEOUT_SECONDS)
            if address.tls == "starttls":
                client.starttls(context)
            client.normalise_times = False  # INTERNALDATE with its zone
            client.login(address.user, self.password)
            selected = client.select_folder(address.folder, readonly=True)
        except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as error:
            raise self._fail(error) from None
        self.client = client
        self.uid_validity = int(selected.get(b"UIDVALIDITY", 0))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except (IMAPClientError, OSError):
                pass
            self.client = None

    def _client(self) -> IMAPClient:
        assert self.client is not None, "use Mailbox in a with block"
        return self.client

    def uids(self) -> list[int]:
        try:
            return sorted(int(uid) for uid in self._client().search("ALL"))
        except (IMAPClientError, OSError) as error:
            raise self._fail(error) from None

    def envelopes(self, uids: Sequence[int]) -> Iterator[Envelope]:
        """Each message's size, date, Message-ID and largest part, never its body."""
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = list(uids[start:start + FETCH_CHUNK])
            try:
                found = self._client().fetch(chunk, [
                    "RFC822.SIZE", "INTERNALDATE", "BODYSTRUCTURE",
                    "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            except (IMAPClientError, OSError) as error:
                raise self._fail(error) from None
            for uid in chunk:
                data = found.get(uid)
                if data is None:
                    continue  # expunged meanwhile: nothing to take
                yield Envelope(uid, int(data.get(b"RFC822.SIZE", 0)),
                               _aware(data.get(b"INTERNALDATE")),
                               _message_id(data.get(_ID_FIELD)),
                               largest_part(data.get(b"BODYSTRUCTURE")))

    def body(self, uid: int) -> bytes | None:
        """The whole message as received (None if it is gone)."""
        try:
            found = self._client().fetch([uid], ["BODY.PEEK[]"])
        except (IMAPClientError, OSError) as error:
            raise self._fail(error) from None
        data = found.get(uid) or {}
        raw = data.get(b"BODY[]")
        return bytes(raw) if raw is not None else None

"""A real IMAP server for the mailbox tests, and messages as units' mail programs send them."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from ingest.sample import write_sample
from tests.mailbox.imap_server import ImapServer
from tests.postgres_server import postgres_server  # noqa: F401 - the session's server

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def unit_mail(sender: str, subject: str, text: str,
              files: tuple[tuple[str, bytes], ...] = (), *, in_reply_to: str | None = None,
              message_id: str | None = None) -> EmailMessage:
    """A message as an officer's mail program writes it: Vietnamese names RFC 2231-encoded."""
    msg = EmailMessage()
    msg["From"] = f"Cán bộ <{sender}>"
    msg["To"] = "baocao@tuphap.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text)
    for name, data in files:
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    return msg


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Lạng Sơn STP's 2024 report from the sample: what its officer mails."""
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder)
    return (folder / "2024_STP-20_Lang-Son.xlsx").read_bytes()


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    with ImapServer() as server:
        yield server

"""A real SMTP server (aiosmtpd) on 127.0.0.1, on a port the kernel picks at bind time (no
free-port race with a second suite), capturing every message it accepts.

`refuse` makes it answer 550 to RCPT for the given addresses, as a server that does not know
a mailbox would; `hold_after` N makes it hold the MAIL command of every transaction after the
N-th until the test sets `release` (to kill a load while it sends).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.quality.smtp_sink import ReceivedMail  # the same parsed mail as the alert tests'


@dataclass
class _Handler:
    mails: list[ReceivedMail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    hold_after: int | None = None  # transactions let through before MAIL is held
    held: threading.Event = field(default_factory=threading.Event)  # one is being held
    release: threading.Event = field(default_factory=threading.Event)
    transactions: int = 0

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook names
            self, server: SMTP, session: Session, envelope: Envelope, address: str,
            mail_options: list[str]) -> str:
        self.transactions += 1
        if self.hold_after is not None and self.transactions > self.hold_after:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
            self, server: SMTP, session: Session, envelope: Envelope, address: str,
            rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook names
            self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos),
                               bytes(envelope.content or b"")))  # type: ignore[arg-type]
        return "250 OK queued"


class SmtpServer:
    """with SmtpServer() as smtp: ... smtp.port, smtp.mails"""

    def __init__(self) -> None:
        self.handler = _Handler()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Any = None

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def mails(self) -> list[ReceivedMail]:
        return list(self.handler.mails)

    def environment(self) -> dict[str, str]:
        return {"TUPHAP_SMTP_HOST": "127.0.0.1", "TUPHAP_SMTP_PORT": str(self.port),
                "TUPHAP_SMTP_STARTTLS": "false"}

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._loop.create_server(
            lambda: SMTP(self.handler, hostname="smtp.test"), "127.0.0.1", 0), self._loop)
        self._server = future.result(timeout=10)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.handler.release.set()
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

"""A tiny real SMTP server on 127.0.0.1 for the alert tests (aiosmtpd is not installed).

It speaks just enough RFC 5321 for smtplib: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA (with
dot-unstuffing), RSET, NOOP, QUIT; STARTTLS is not offered. Every accepted message is kept with
its envelope and parsed with the standard e-mail parser.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return part.get_content()


@dataclass
class SinkState:
    mails: list[ReceivedMail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (user, password)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 sink.local ESMTP test sink")
        mail_from, rcpt_to = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb == "EHLO":
                self.wfile.write(b"250-sink.local\r\n250-AUTH PLAIN\r\n250-8BITMIME\r\n"
                                 b"250 SIZE 10485760\r\n")
                self.wfile.flush()
            elif verb == "HELO":
                self.reply("250 sink.local")
            elif verb == "AUTH":
                mechanism, _, initial = arg.partition(" ")
                if mechanism.upper() != "PLAIN":
                    self.reply("504 5.5.4 mechanism not supported")
                    continue
                if not initial:
                    self.reply("334 ")
                    initial = self.rfile.readline().decode("ascii").strip()
                _, user, password = base64.b64decode(initial).decode("utf-8").split("\0")
                with self.server.state.lock:
                    self.server.state.logins.append((user, password))
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                mail_from, rcpt_to = arg.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                rcpt_to.append(arg.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.server.state.lock:
                    self.server.state.mails.append(
                        ReceivedMail(mail_from, list(rcpt_to), b"".join(lines)))
                self.reply("250 2.0.0 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 command not recognized")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: SinkState


class SmtpSink:
    """with SmtpSink() as sink: ... sink.port, sink.mails"""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = SinkState()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._server.state.lock:
            return list(self._server.state.mails)

    @property
    def logins(self) -> list[tuple[str, str]]:
        with self._server.state.lock:
            return list(self._server.state.logins)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

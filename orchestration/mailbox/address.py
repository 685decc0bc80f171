"""Where the mailbox is: TUPHAP_IMAP_URL (and TUPHAP_IMAP_PASSWORD), and what may be taken.

`imaps://baocao@mail.example.gov.vn:993/INBOX`: IMAP over TLS from the first byte (port 993 by
default); `imap://...` (port 143) upgrades with STARTTLS and refuses a server that cannot; plain
text only to a loopback address (a server on the same machine, the test suite's). The user
name may be percent-encoded (`baocao%40example.gov.vn`); a password in the URL is refused:
it belongs in TUPHAP_IMAP_PASSWORD, never in a URL that logs and run tags may show.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ingest.errors import TuphapError

URL_ENV = "TUPHAP_IMAP_URL"
PASSWORD_ENV = "TUPHAP_IMAP_PASSWORD"  # noqa: S105 - the variable's name, not a password
MAX_MB_ENV = "TUPHAP_MAX_ATTACHMENT_MB"
DMARC_ENV = "TUPHAP_REQUIRE_DMARC"
DEFAULT_MAX_MB = 20


class MailboxSettingError(TuphapError, ValueError):
    """TUPHAP_IMAP_URL or a mailbox setting is wrong (the message says which and why)."""


@dataclass(frozen=True)
class MailboxAddress:
    host: str
    port: int
    user: str
    folder: str
    tls: str  # implicit | starttls | none (loopback only)

    @property
    def label(self) -> str:
        """The mailbox as logs and the private store name it: no user, no password."""
        return f"{self.host}:{self.port}/{self.folder}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_url(url: str) -> MailboxAddress:
    """A MailboxAddress from TUPHAP_IMAP_URL's text (module doc), or MailboxSettingError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imaps", "imap"):
        raise MailboxSettingError(f"{URL_ENV} must start with imaps:// or imap://")
    if parts.password:
        raise MailboxSettingError(f"{URL_ENV} must not hold a password: put it in "
                                  f"{PASSWORD_ENV}")
    host = parts.hostname or ""
    if not host or not parts.username:
        raise MailboxSettingError(f"{URL_ENV} needs a user and a host, e.g. "
                                  "imaps://baocao@mail.example.gov.vn/INBOX")
    try:
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
    except ValueError as error:
        raise MailboxSettingError(f"{URL_ENV}: {error}") from None
    tls = "implicit" if parts.scheme == "imaps" else "starttls"
    if parts.scheme == "imap" and _loopback(host):
        tls = "none"  # a server on this machine: nothing crosses a network
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxAddress(host, port, unquote(parts.username), folder, tls)


@dataclass(frozen=True)
class MailboxSettings:
    address: MailboxAddress
    password: str
    max_attachment_bytes: int
    require_dmarc: bool


def mailbox_settings(environ: Mapping[str, str] | None = None) -> MailboxSettings | None:
    """The configured mailbox, or None when TUPHAP_IMAP_URL is not set (the demo)."""
    env = os.environ if environ is None else environ
    url = env.get(URL_ENV, "").strip()
    if not url:
        return None
    text = env.get(MAX_MB_ENV, "").strip() or str(DEFAULT_MAX_MB)
    try:
        megabytes = float(text.replace(",", "."))
    except ValueError:
        megabytes = 0
    if megabytes <= 0:
        raise MailboxSettingError(f"{MAX_MB_ENV} must be a positive number of MB, not {text!r}")
    dmarc = env.get(DMARC_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return MailboxSettings(parse_url(url), env.get(PASSWORD_ENV, ""),
                           int(megabytes * 1024 * 1024), dmarc)

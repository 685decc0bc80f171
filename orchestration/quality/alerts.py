"""One alert per load about the NEW data-quality issues, to every configured channel.

The alert is plain Vietnamese text, grouped by unit with the units that have errors first, and
within a unit errors before warnings. Channels: a webhook (JSON POST {"text": ...}, which
Slack, Teams and Google Chat accept), e-mail over SMTP, and always a local log file. Each
channel is retried a few times with a short backoff; a channel that still fails is reported
(never raised), so a dead mail server never fails a load or loses an issue: the issue stays in
dq_issues, and is marked alerted only when the alert reached at least one channel.

Secrets (SMTP password, the webhook URL whose path or query is the token) never appear in what
this module logs or returns: channels describe themselves by scheme and host only, and error
texts are scrubbed of every secret before they leave.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ingest.vn_format import format_number
from orchestration.quality.issue_table import shortened

SEVERITY_LABELS = {"error": "LỖI", "warn": "CẢNH BÁO"}


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str
    errors: int
    warnings: int
    fingerprints: tuple[str, ...]
    # the units' explanations listed: (fingerprint, explained_by_unit_at)
    explained: tuple[tuple[str, datetime], ...] = ()


def alert_subject(errors: int, warnings: int, explained: int = 0) -> str:
    """E.g. "[tuphap] 2 lỗi, 1 cảnh báo về số liệu báo cáo; 1 giải trình mới của đơn vị"."""
    news = f"{format_number(explained)} giải trình mới của đơn vị"
    if explained and not errors + warnings:
        return f"[tuphap] {news} về số liệu báo cáo"
    return (f"[tuphap] {format_number(errors)} lỗi, {format_number(warnings)} cảnh báo"
            " về số liệu báo cáo" + (f"; {news}" if explained else ""))


def explanation_lines(explanations: Sequence[Mapping[str, Any]]) -> list[str]:
    """The units' new explanations, by unit: the rule, the unit's text shortened, and the
    code the data team accepts (tuphap ack) or rejects (tuphap reopen) it with."""
    if not explanations:
        return []
    lines = [f"Giải trình mới của đơn vị: {format_number(len(explanations))}.", ""]
    by_unit: dict[str, list[Mapping[str, Any]]] = {}
    for row in explanations:
        by_unit.setdefault(str(row["unit_code"]), []).append(row)
    for code, rows in sorted(by_unit.items()):
        name = next((str(r["unit_name"]) for r in rows if r.get("unit_name")), code)
        lines.append(f"{name} ({code}):")
        for row in rows:
            form = f", biểu {row['form']}" if row.get("form") else ""
            lines.append(f"  - {row['rule_id']}, năm {row['year']}{form}:"
                         f" “{shortened(str(row['explanation']))}”"
                         f" (mã {str(row['fingerprint'])[:12]})")
        lines.append("")
    lines.append("Chấp nhận giải trình: tuphap ack <mã> --note ...; không chấp nhận:"
                 " tuphap reopen <mã> --note \"lý do\" (đơn vị nhận được lý do).")
    return lines


def compose_alert(issues: Sequence[Mapping[str, Any]],
                  explanations: Sequence[Mapping[str, Any]] = (), *,
                  generated_at: datetime | None = None) -> Alert | None:
    """The one message of a load, or None when there is nothing new to say.

    `issues` are dq_issues rows (dicts with fingerprint, rule_id, severity, unit_code,
    unit_name, year, form, message); `explanations` the issues whose unit's explanation is
    new to the data team (explained.pending_explanations), listed after them.
    """
    if not issues and not explanations:
        return None
    generated_at = generated_at or datetime.now(UTC)
    by_unit: dict[str, list[Mapping[str, Any]]] = {}
    for issue in issues:
        by_unit.setdefault(str(issue["unit_code"]), []).append(issue)

    def unit_order(item: tuple[str, list[Mapping[str, Any]]]) -> tuple[int, str]:
        code, unit_issues = item
        has_error = any(i["severity"] == "error" for i in unit_issues)
        return (0 if has_error else 1, code)

    errors = sum(1 for i in issues if i["severity"] == "error")
    warnings = len(issues) - errors
    lines = [
        "Kho dữ liệu tư pháp — kiểm tra số liệu báo cáo"
        f" (lần nạp {generated_at.astimezone(UTC):%d/%m/%Y %H:%M} UTC).",
        f"Phát hiện mới: {format_number(errors)} lỗi, {format_number(warnings)} cảnh báo.",
        "",
    ] if issues else [
        "Kho dữ liệu tư pháp — kiểm tra số liệu báo cáo"
        f" (lần nạp {generated_at.astimezone(UTC):%d/%m/%Y %H:%M} UTC).", ""]
    for code, unit_issues in sorted(by_unit.items(), key=unit_order):
        name = next((str(i["unit_name"]) for i in unit_issues if i.get("unit_name")), code)
        lines.append(f"{name} ({code}):")
        for issue in sorted(unit_issues, key=lambda i: (i["severity"] != "error", i["year"],
                                                        i["rule_id"], str(i.get("form")))):
            label = SEVERITY_LABELS.get(str(issue["severity"]), str(issue["severity"]))
            lines.append(f"  - [{label}] {issue['rule_id']} — {issue['message']}"
                         f" (mã {str(issue['fingerprint'])[:12]})")
        lines.append("")
    if issues:
        lines.append("Xem danh sách: tuphap issues. Đánh dấu đã xem xét: tuphap ack <mã>"
                     " --note ...")
    if issues and explanations:
        lines.append("")
    lines += explanation_lines(explanations)
    return Alert(
        subject=alert_subject(errors, warnings, len(explanations)),
        text="\n".join(lines) + "\n", errors=errors, warnings=warnings,
        fingerprints=tuple(str(i["fingerprint"]) for i in issues),
        explained=tuple((str(e["fingerprint"]), e["explained_by_unit_at"])
                        for e in explanations),
    )


class Channel(Protocol):
    name: str

    def describe(self) -> str: ...

    def secrets(self) -> tuple[str, ...]: ...

    def send(self, alert: Alert) -> None: ...


@dataclass
class WebhookChannel:
    """JSON POST {"text": ...}; any 2xx answer is success."""

    url: str
    timeout_seconds: float = 10.0
    name: str = "webhook"

    def describe(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"webhook {parts.scheme}://{host}{port}"  # never the path/query: the token

    def secrets(self) -> tuple[str, ...]:
        parts = urlsplit(self.url)
        found = [self.url, parts.path, parts.query, parts.password or "", parts.username or ""]
        return tuple(s for s in found if s and s != "/")

    def send(self, alert: Alert) -> None:
        body = json.dumps({"text": f"{alert.subject}\n\n{alert.text}"},
                          ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the operator's configured webhook
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"webhook answered HTTP {response.status}")


@dataclass
class SmtpChannel:
    """Plain-text UTF-8 e-mail; STARTTLS when asked, implicit TLS on port 465."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_seconds: float = 10.0
    name: str = "smtp"

    def describe(self) -> str:
        return f"smtp {self.host}:{self.port} -> {len(self.recipients)} recipient(s)"

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password,) if s)

    def message(self, alert: Alert) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = alert.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="tuphap.local")
        msg.set_content(alert.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        return msg

    def send(self, alert: Alert) -> None:
        if not self.recipients:
            raise ValueError("no e-mail recipients configured")
        smtp_class = smtplib.SMTP_SSL if self.port == 465 else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.starttls and smtp_class is smtplib.SMTP:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(self.message(alert))


@dataclass
class LogChannel:
    """Appends every alert to a local file: the channel that is always on."""

    path: Path
    name: str = "log"
    delivery_notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"log {self.path}"

    def secrets(self) -> tuple[str, ...]:
        return ()

    def send(self, alert: Alert) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        entry = [f"===== {stamp} {alert.subject}", alert.text.rstrip("\n")]
        entry += [f"[delivery] {note}" for note in self.delivery_notes]
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(entry) + "\n\n")


@dataclass(frozen=True)
class ChannelOutcome:
    channel: str  # the channel's describe(): no secret in it
    ok: bool
    attempts: int
    error: str | None = None  # scrubbed of secrets


def scrub(text: str, secrets: Sequence[str]) -> str:
    """Replace every secret (longest first) by '***'."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _send_with_retries(channel: Channel, alert: Alert, attempts: int, backoff_seconds: float,
                       sleep: Callable[[float], None]) -> ChannelOutcome:
    error = None
    for attempt in range(1, attempts + 1):
        try:
            channel.send(alert)
            return ChannelOutcome(channel.describe(), True, attempt)
        except Exception as exc:  # noqa: BLE001 - any failure of a channel is reported, never raised
            error = scrub(f"{type(exc).__name__}: {exc}", channel.secrets())
            if attempt < attempts:
                sleep(backoff_seconds * 2 ** (attempt - 1))
    return ChannelOutcome(channel.describe(), False, attempts, error)


def deliver(alert: Alert, channels: Sequence[Channel], log: LogChannel, *, attempts: int = 3,
            backoff_seconds: float = 0.5,
            sleep: Callable[[float], None] = time.sleep) -> list[ChannelOutcome]:
    """Send to every remote channel, then append the alert and how delivery went to the log.

    Never raises for a channel failure: every outcome is returned (scrubbed of secrets).
    """
    outcomes = [_send_with_retries(c, alert, attempts, backoff_seconds, sleep) for c in channels]
    log.delivery_notes = [
        f"{o.channel}: " + ("ok" if o.ok else f"FAILED after {o.attempts} attempt(s): {o.error}")
        for o in outcomes
    ]
    outcomes.append(_send_with_retries(log, alert, attempts, backoff_seconds, sleep))
    return outcomes

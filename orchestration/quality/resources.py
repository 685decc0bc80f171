"""The alert channels as a Dagster resource, configured from TUPHAP_* environment variables.

Every field is optional: an unset variable means that channel is off (the local log is always
on). A field left unset falls back, at run time, to its environment variable, so a bare
`AlertChannelsResource()` follows the environment; `from_env()` instead passes secrets to Dagster
as EnvVar references. Either way the run config, the Dagster UI and the event log never show a
secret's value.

    TUPHAP_ALERT_WEBHOOK_URL   webhook URL (secret: its path/query is the token)
    TUPHAP_SMTP_HOST           SMTP server; e-mail is on when host and recipients are set
    TUPHAP_SMTP_PORT           default 587 (465 = implicit TLS)
    TUPHAP_SMTP_USER           login (optional)
    TUPHAP_SMTP_PASSWORD       secret
    TUPHAP_SMTP_STARTTLS       true/false, default true
    TUPHAP_ALERT_EMAIL_FROM    default tuphap@localhost
    TUPHAP_ALERT_EMAIL_TO      comma-separated recipients
    TUPHAP_ALERT_LOG           local alert log; default alerts.log next to the warehouse
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from orchestration.quality.alerts import Channel, LogChannel, SmtpChannel, WebhookChannel

SECRET_VARIABLES = ("TUPHAP_ALERT_WEBHOOK_URL", "TUPHAP_SMTP_PASSWORD")
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}


def parse_bool(text: str | None, default: bool) -> bool:
    if text is None or not text.strip():
        return default
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected true/false, not {text!r}")


class AlertChannelsResource(dg.ConfigurableResource):
    """Where quality alerts go. Build it with `AlertChannelsResource.from_env()`."""

    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    email_from: str | None = None
    email_to: str | None = None  # comma-separated
    alert_log: str | None = None  # None: alerts.log next to the warehouse
    attempts: int = 3  # per channel
    retry_backoff_seconds: float = 0.5  # doubled after each failed attempt
    timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertChannelsResource:
        """The resource as the environment configures it; unset variables turn channels off."""
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            text = env.get(name)
            return text.strip() if text and text.strip() else None

        def secret(name: str) -> str | None:
            # A reference, resolved by Dagster at run time from the process environment.
            if value(name) is None:
                return None
            return dg.EnvVar(name) if environ is None else value(name)

        port = value("TUPHAP_SMTP_PORT")
        return cls(
            webhook_url=secret("TUPHAP_ALERT_WEBHOOK_URL"),
            smtp_host=value("TUPHAP_SMTP_HOST"),
            smtp_port=int(port) if port else 587,
            smtp_user=value("TUPHAP_SMTP_USER"),
            smtp_password=secret("TUPHAP_SMTP_PASSWORD"),
            smtp_starttls=parse_bool(value("TUPHAP_SMTP_STARTTLS"), True),
            email_from=value("TUPHAP_ALERT_EMAIL_FROM"),
            email_to=value("TUPHAP_ALERT_EMAIL_TO"),
            alert_log=value("TUPHAP_ALERT_LOG"),
        )

    def _setting(self, value: object, variable: str) -> str | None:
        """A field's value, else the environment's at run time (so a bare
        `AlertChannelsResource()` follows the TUPHAP_* variables too); None when unset."""
        if value is not None and str(value).strip():
            return str(value).strip()
        text = os.environ.get(variable, "").strip()
        return text or None

    @property
    def recipients(self) -> tuple[str, ...]:
        text = self._setting(self.email_to, "TUPHAP_ALERT_EMAIL_TO") or ""
        return tuple(a.strip() for a in text.split(",") if a.strip())

    def remote_channels(self) -> list[Channel]:
        """The configured webhook and e-mail channels (possibly none)."""
        channels: list[Channel] = []
        url = self._setting(self.webhook_url, "TUPHAP_ALERT_WEBHOOK_URL")
        if url:
            channels.append(WebhookChannel(url, self.timeout_seconds))
        server = self.smtp_server()
        if server is not None and server.recipients:
            channels.append(server)
        return channels

    def smtp_server(self) -> SmtpChannel | None:
        """The configured SMTP server (None without TUPHAP_SMTP_HOST), addressed to the data
        team's recipients; unit messages (orchestration/correspondence) use its connection."""
        host = self._setting(self.smtp_host, "TUPHAP_SMTP_HOST")
        if not host:
            return None
        user = self._setting(self.smtp_user, "TUPHAP_SMTP_USER")
        port_text = os.environ.get("TUPHAP_SMTP_PORT", "").strip()
        port = self.smtp_port if self.smtp_host or not port_text else int(port_text)
        starttls = self.smtp_starttls if self.smtp_host else parse_bool(
            os.environ.get("TUPHAP_SMTP_STARTTLS"), True)
        return SmtpChannel(
            host=host, port=port,
            sender=self._setting(self.email_from, "TUPHAP_ALERT_EMAIL_FROM")
            or user or "tuphap@localhost",
            recipients=self.recipients, user=user,
            password=self._setting(self.smtp_password, "TUPHAP_SMTP_PASSWORD"),
            starttls=starttls, timeout_seconds=self.timeout_seconds,
        )

    def log_channel(self, folder: Path) -> LogChannel:
        """The local alert log: TUPHAP_ALERT_LOG, else alerts.log in the warehouse's folder on
        this machine (beside a DuckDB file; WarehouseEngine.local_dir)."""
        configured = self._setting(self.alert_log, "TUPHAP_ALERT_LOG")
        return LogChannel(Path(configured) if configured else folder / "alerts.log")

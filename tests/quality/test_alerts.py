"""Alerts about new issues through real channels: an HTTP webhook server and an SMTP server on
127.0.0.1, and the local log (orchestration/quality/alerts.py, resources.py, and the
alerting step of assets.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from expectations.rules import Violation
from orchestration.quality.alerts import (
    LogChannel,
    WebhookChannel,
    compose_alert,
    deliver,
)
from orchestration.quality.assets import send_new_issue_alerts
from orchestration.quality.issues import (
    acknowledge,
    explain,
    list_issues,
    merge_violations,
    violation_fingerprint,
)
from orchestration.quality.resources import AlertChannelsResource
from orchestration.warehouse.duckdb import DuckDBConnection
from tests.quality.http_sink import WebhookSink
from tests.quality.smtp_sink import SmtpSink

NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
SMTP_PASSWORD = "pa55-S3CRET-smtp"  # noqa: S105 - a test secret that must never leak
WEBHOOK_TOKEN = "T0KEN-S3CRET-hook"  # noqa: S105

ENF05 = Violation("ENF-05", "error", "THADS_VIEC", "THADS-10", "10", 2024,
                  {"resolved": 3569, "eligible": 3500}, "Cục THADS tỉnh Lào Cai")
ENF01 = Violation("ENF-01", "error", "THADS_TIEN", "THADS-10", "10", 2023,
                  {"accepted": 1826513, "carried_over": 826000, "new": 1000000},
                  "Cục THADS tỉnh Lào Cai")
DIS01 = Violation("DIS-01", "warn", "PBGDPL", "STP-02", "02", 2023,
                  {"sessions": 120, "attendees": 100}, "Sở Tư pháp tỉnh Hà Giang")
GEN03 = Violation("GEN-03", "warn", "THADS_VIEC", "THADS-10", "10", 2022,
                  {"indicator": "eligible", "value": 35000}, "Cục THADS tỉnh Lào Cai",
                  {"median": 3500, "other_years": 3})


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    return folder / "tuphap.duckdb"


def connector(path: Path):  # noqa: ANN201 - a context-manager factory
    @contextmanager
    def connect() -> Iterator[duckdb.DuckDBPyConnection]:
        con = DuckDBConnection.open(path)
        try:
            yield con
        finally:
            con.close()
    return connect


def merge(path: Path, violations: list[Violation]) -> None:
    with connector(path)() as con:
        merge_violations(con, violations, now=NOW)


def issues(path: Path, status: str | None = None) -> list[dict]:
    with connector(path)() as con:
        return list_issues(con, status=status)


def resource(**overrides: object) -> AlertChannelsResource:
    # The timeout only bounds a delivery to the loopback sinks on a busy machine (the dead
    # channels refuse at once).
    settings = {"retry_backoff_seconds": 0.01, "timeout_seconds": 120.0, "smtp_starttls": False,
                "email_from": "tuphap@moj.local", **overrides}
    return AlertChannelsResource(**settings)  # type: ignore[arg-type]


def test_compose_groups_by_unit_errors_first() -> None:
    rows = [
        {"fingerprint": "f" * 64, "rule_id": "DIS-01", "severity": "warn", "unit_code": "STP-02",
         "unit_name": "Sở Tư pháp tỉnh Hà Giang", "year": 2023, "form": "PBGDPL",
         "message": "Sở Tư pháp tỉnh Hà Giang, năm 2023: A"},
        {"fingerprint": "a" * 64, "rule_id": "GEN-03", "severity": "warn",
         "unit_code": "THADS-10", "unit_name": "Cục THADS tỉnh Lào Cai", "year": 2022,
         "form": "THADS_VIEC", "message": "Cục THADS tỉnh Lào Cai, năm 2022: B"},
        {"fingerprint": "b" * 64, "rule_id": "ENF-05", "severity": "error",
         "unit_code": "THADS-10", "unit_name": "Cục THADS tỉnh Lào Cai", "year": 2024,
         "form": "THADS_VIEC", "message": "Cục THADS tỉnh Lào Cai, năm 2024: C"},
    ]
    alert = compose_alert(rows, generated_at=NOW)
    assert alert is not None
    assert alert.subject == "[tuphap] 1 lỗi, 2 cảnh báo về số liệu báo cáo"
    lines = alert.text.splitlines()
    assert "(lần nạp 10/01/2025 08:00 UTC)" in lines[0]
    assert lines[1] == "Phát hiện mới: 1 lỗi, 2 cảnh báo."
    body = [line for line in lines[3:] if line]
    assert body[:4] == [
        "Cục THADS tỉnh Lào Cai (THADS-10):",  # the unit with an error comes first
        f"  - [LỖI] ENF-05 — Cục THADS tỉnh Lào Cai, năm 2024: C (mã {'b' * 12})",
        f"  - [CẢNH BÁO] GEN-03 — Cục THADS tỉnh Lào Cai, năm 2022: B (mã {'a' * 12})",
        "Sở Tư pháp tỉnh Hà Giang (STP-02):",
    ]
    assert compose_alert([]) is None


def test_one_message_per_load_on_every_channel(warehouse: Path) -> None:
    merge(warehouse, [ENF05, ENF01, DIS01])
    log = warehouse.parent / "alerts.log"
    with WebhookSink() as hook, SmtpSink() as smtp:
        alerts = resource(
            webhook_url=hook.url(f"/hooks/{WEBHOOK_TOKEN}?key={WEBHOOK_TOKEN}"),
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_user="tuphap",
            smtp_password=SMTP_PASSWORD, email_to="a@stp.local, b@moj.local",
        )
        run = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)

        assert (run.new_errors, run.new_warnings, run.alerted) == (2, 1, 3)
        assert run.channels_failed == []
        assert len(run.channels_ok) == 3
        # webhook: one JSON POST with a text field
        assert len(hook.requests) == 1
        request = hook.requests[0]
        assert request["content_type"].startswith("application/json")
        text = request["json"]["text"]
        assert text.startswith("[tuphap] 2 lỗi, 1 cảnh báo về số liệu báo cáo")
        assert ("Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc > có điều kiện"
                " 3.500 việc") in text
        assert "1.826.513 nghìn đồng" in text
        assert text.index("THADS-10") < text.index("STP-02")  # errors first
        # e-mail: one plain-text UTF-8 message to both recipients, after logging in
        assert len(smtp.mails) == 1
        mail = smtp.mails[0]
        assert mail.subject == "[tuphap] 2 lỗi, 1 cảnh báo về số liệu báo cáo"
        assert sorted(mail.rcpt_to) == ["a@stp.local", "b@moj.local"]
        assert mail.mail_from == "tuphap@moj.local"
        assert "giải quyết xong 3.569 việc > có điều kiện 3.500 việc" in mail.body
        assert "Sở Tư pháp tỉnh Hà Giang, năm 2023" in mail.body
        assert smtp.logins == [("tuphap", SMTP_PASSWORD)]
        # the local log has the same text
        logged = log.read_text(encoding="utf-8")
        assert "giải quyết xong 3.569 việc > có điều kiện 3.500 việc" in logged
        assert all(i["alerted_at"] == NOW for i in issues(warehouse))

        # a second load with no new issue sends nothing anywhere
        again = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)
        assert again.outcomes == [] and again.alerted == 0
        assert len(hook.requests) == 1 and len(smtp.mails) == 1
        assert log.read_text(encoding="utf-8") == logged

        # a later load with one new issue sends only that one
        merge(warehouse, [ENF05, ENF01, DIS01, GEN03])
        third = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)
        assert (third.new_errors, third.new_warnings) == (0, 1)
        assert len(hook.requests) == 2
        assert hook.requests[1]["json"]["text"].startswith(
            "[tuphap] 0 lỗi, 1 cảnh báo về số liệu báo cáo")
        assert "3.569" not in hook.requests[1]["json"]["text"]
        assert "gấp 10,0 lần trung vị 3 năm khác" in smtp.mails[1].body

    # secrets never reach the log, the outcomes or the warehouse
    for text in (log.read_text(encoding="utf-8"), repr(run.outcomes), repr(third.outcomes)):
        assert WEBHOOK_TOKEN not in text and SMTP_PASSWORD not in text
    assert "webhook http://127.0.0.1:" in run.channels_ok[0]
    with connector(warehouse)() as con:
        dump = repr(con.execute("select * from main.dq_issues").fetchall())
    assert WEBHOOK_TOKEN not in dump and SMTP_PASSWORD not in dump


def test_acknowledged_issues_are_never_sent(warehouse: Path) -> None:
    merge(warehouse, [ENF05, DIS01])
    with connector(warehouse)() as con:
        assert acknowledge(con, violation_fingerprint(ENF05), "đã giải trình")
    with WebhookSink() as hook:
        run = send_new_issue_alerts(connector(warehouse), resource(webhook_url=hook.url()),
                                    warehouse.parent, now=NOW)
        assert (run.new_errors, run.new_warnings) == (0, 1)
        text = hook.requests[0]["json"]["text"]
    assert "DIS-01" in text and "ENF-05" not in text and "3.569" not in text
    # still acknowledged, never alerted
    enf05 = next(i for i in issues(warehouse, None) if i["rule_id"] == "ENF-05")
    assert enf05["status"] == "acknowledged" and enf05["alerted_at"] is None


def test_dead_channels_are_reported_never_fatal(warehouse: Path,
                                              closed_port: Callable[[], int]) -> None:
    merge(warehouse, [ENF05, DIS01])
    dead = closed_port()
    alerts = resource(webhook_url=f"http://127.0.0.1:{dead}/hooks/{WEBHOOK_TOKEN}",
                      smtp_host="127.0.0.1", smtp_port=closed_port(), smtp_user="u",
                      smtp_password=SMTP_PASSWORD, email_to="a@stp.local")
    run = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)
    failed = [o for o in run.outcomes if not o.ok]
    assert [o.channel.split()[0] for o in failed] == ["webhook", "smtp"]
    assert all(o.attempts == 3 and o.error for o in failed)
    assert run.channels_ok == [f"log {warehouse.parent / 'alerts.log'}"]
    # the log got the alert and how delivery went, without secrets
    logged = (warehouse.parent / "alerts.log").read_text(encoding="utf-8")
    assert "giải quyết xong 3.569 việc > có điều kiện 3.500 việc" in logged
    assert f"[delivery] webhook http://127.0.0.1:{dead}: FAILED after 3 attempt(s)" in logged
    assert WEBHOOK_TOKEN not in logged + repr(run.outcomes)
    assert SMTP_PASSWORD not in logged + repr(run.outcomes)
    # the issues are recorded and, having reached the log, count as alerted
    assert len(issues(warehouse)) == 2 and run.alerted == 2


def test_nothing_delivered_means_alerted_again_next_time(
    warehouse: Path, tmp_path: Path, closed_port: Callable[[], int]
) -> None:
    merge(warehouse, [ENF05])
    unwritable = tmp_path / "a_file"
    unwritable.write_text("not a folder")
    alerts = resource(webhook_url=f"http://127.0.0.1:{closed_port()}/x",
                      alert_log=str(unwritable / "alerts.log"))
    run = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)
    assert run.channels_ok == [] and run.alerted == 0
    assert issues(warehouse)[0]["alerted_at"] is None  # kept for the next load
    # next load, the log works again: the issue goes out then
    ok = send_new_issue_alerts(connector(warehouse), resource(), warehouse.parent, now=NOW)
    assert ok.alerted == 1 and ok.new_errors == 1


def test_a_flaky_webhook_is_retried() -> None:
    alert = compose_alert([{"fingerprint": "c" * 64, "rule_id": "ENF-05", "severity": "error",
                            "unit_code": "THADS-10", "unit_name": "X", "year": 2024,
                            "form": "THADS_VIEC", "message": "m"}])
    assert alert is not None
    waits: list[float] = []
    with WebhookSink(fail_first=2) as hook:
        log = LogChannel(Path("/dev/null"))
        outcomes = deliver(alert, [WebhookChannel(hook.url())], log, attempts=3,
                           backoff_seconds=0.5, sleep=waits.append)
        assert outcomes[0].ok and outcomes[0].attempts == 3
        assert hook.attempts == 3 and len(hook.requests) == 1
    assert waits == [0.5, 1.0]  # short, doubling backoff


def test_resource_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = AlertChannelsResource.from_env({})
    for name in ("TUPHAP_ALERT_WEBHOOK_URL", "TUPHAP_SMTP_HOST", "TUPHAP_ALERT_EMAIL_TO",
                 "TUPHAP_ALERT_LOG"):
        monkeypatch.delenv(name, raising=False)
    assert empty.remote_channels() == []  # unset means off
    assert empty.log_channel(tmp_path / "wh").path == \
        tmp_path / "wh" / "alerts.log"

    env = {"TUPHAP_ALERT_WEBHOOK_URL": "https://hooks.example.org/services/SECRET",
           "TUPHAP_SMTP_HOST": "mail.example.org", "TUPHAP_SMTP_PORT": "2525",
           "TUPHAP_SMTP_USER": "bot", "TUPHAP_SMTP_PASSWORD": SMTP_PASSWORD,
           "TUPHAP_SMTP_STARTTLS": "false", "TUPHAP_ALERT_EMAIL_FROM": "bot@example.org",
           "TUPHAP_ALERT_EMAIL_TO": "a@example.org, b@example.org",
           "TUPHAP_ALERT_LOG": str(tmp_path / "custom.log")}
    configured = AlertChannelsResource.from_env(env)
    webhook, smtp = configured.remote_channels()
    assert webhook.describe() == "webhook https://hooks.example.org"
    assert (smtp.host, smtp.port, smtp.starttls, smtp.recipients) == (  # type: ignore[attr-defined]
        "mail.example.org", 2525, False, ("a@example.org", "b@example.org"))
    assert SMTP_PASSWORD not in smtp.describe()
    assert configured.log_channel(tmp_path).path == tmp_path / "custom.log"

    # a bare resource follows the process environment at run time
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    bare = AlertChannelsResource()
    assert [c.name for c in bare.remote_channels()] == ["webhook", "smtp"]
    assert bare.remote_channels()[1].port == 2525  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        AlertChannelsResource.from_env({"TUPHAP_SMTP_STARTTLS": "maybe"})


def test_the_units_new_explanations_are_listed_once(warehouse: Path) -> None:
    """A unit's explanation (issues.explain, as a load applies a mailed reply) is listed in
    the next alert with its unit, rule, text shortened and code; never again; a later answer
    of the unit is listed again, and one that arrived before the last alert but was pulled
    after it is not missed."""
    merge(warehouse, [ENF05, DIS01])
    fingerprint = violation_fingerprint(ENF05)
    long_text = "Số liệu đúng: gồm cả việc ủy thác từ tỉnh khác chuyển đến, " * 4
    with SmtpSink() as smtp:
        alerts = resource(smtp_host="127.0.0.1", smtp_port=smtp.port, email_to="a@stp.local")
        first = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=NOW)
        assert (first.alerted, first.new_explanations) == (2, 0)
        answered = datetime(2025, 1, 12, 2, 0, tzinfo=UTC)
        with connector(warehouse)() as con:
            assert explain(con, [{"fingerprint": fingerprint, "explanation": long_text,
                                  "explained_at": answered}]) == [fingerprint]
        later = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)
        second = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent,
                                       now=later)
        assert (second.new_errors, second.new_warnings, second.new_explanations) == (0, 0, 1)
        mail = smtp.mails[1]
        assert mail.subject == "[tuphap] 1 giải trình mới của đơn vị về số liệu báo cáo"
        assert "Cục THADS tỉnh Lào Cai (THADS-10):" in mail.body
        shown = f"  - ENF-05, năm 2024, biểu THADS_VIEC: “{long_text[:99].strip()}"
        assert shown in mail.body.replace("\r\n", "\n")
        assert mail.body.count(fingerprint[:12]) == 1 and long_text not in mail.body
        assert "tuphap reopen <mã>" in mail.body and "DIS-01" not in mail.body
        # listed once: the next alert has nothing to say
        third = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent, now=later)
        assert third.outcomes == [] and len(smtp.mails) == 2
        # answered again, by a message the mailbox received before the last alert
        with connector(warehouse)() as con:
            explain(con, [{"fingerprint": fingerprint, "explanation": "Bổ sung: danh sách.",
                           "explained_at": datetime(2025, 1, 13, 7, 0, tzinfo=UTC)}])
        fourth = send_new_issue_alerts(connector(warehouse), alerts, warehouse.parent,
                                       now=later)
        assert fourth.new_explanations == 1 and "“Bổ sung: danh sách.”" in smtp.mails[2].body

"""The Dagster assets `dq_issues` and `quality_alerts`, materialized for real on copies of the
dbt-built warehouses, with the project's WarehouseResource (build copy, atomic publish) and
real alert channels on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations.rules import RULES
from orchestration.quality.assets import dq_issues, quality_alerts
from orchestration.quality.resources import AlertChannelsResource
from orchestration.quality.row_rules import RowRulesResource
from orchestration.warehouse.resources import WarehouseResource
from tests.quality.conftest import WarehouseCopy
from tests.quality.dataset import EXPECTED_VIOLATIONS
from tests.quality.http_sink import WebhookSink
from tests.quality.smtp_sink import SmtpSink

TOKEN = "T0KEN-S3CRET-hook"  # noqa: S105
PASSWORD = "pa55-S3CRET-smtp"  # noqa: S105
N_ERRORS = sum(1 for r, *_ in EXPECTED_VIOLATIONS
               if next(x for x in RULES if x.id == r).severity == "error")
N_WARNINGS = len(EXPECTED_VIOLATIONS) - N_ERRORS

# Share one xdist worker (and its dbt builds) when run with --dist loadgroup.
pytestmark = pytest.mark.xdist_group("tuphap_quality_dbt")


@dg.asset(deps=[quality_alerts])
def publish_for_test(warehouse: WarehouseResource) -> None:
    """Stands in for the load's last step: swap the run's build copy in."""
    warehouse.publish()


def materialize(published: Path, alerts: AlertChannelsResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [dq_issues, quality_alerts, publish_for_test],
        resources={"warehouse": WarehouseResource(path=str(published), lock_timeout_seconds=5),
                   "alerts": alerts, "row_rules": RowRulesResource()},
    )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    [event] = result.asset_materializations_for_node(asset)
    return {k: v.value for k, v in event.metadata.items()}


def issues(published: Path) -> list[tuple]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(
            "select rule_id, unit_code, year, form, status, alerted_at is not null"
            " from main.dq_issues order by all").fetchall()
    finally:
        con.close()


def test_a_load_with_violations(violations_warehouse: Path, warehouse_copy: WarehouseCopy) -> None:
    published = warehouse_copy(violations_warehouse)
    with WebhookSink() as hook, SmtpSink() as smtp:
        alerts = AlertChannelsResource(
            webhook_url=hook.url(f"/hooks/{TOKEN}"), smtp_host="127.0.0.1",
            smtp_port=smtp.port, smtp_starttls=False, smtp_user="tuphap",
            smtp_password=PASSWORD, email_to="stp@example.org", retry_backoff_seconds=0.01,
            timeout_seconds=120.0)  # a ceiling for the loopback sinks on a busy machine
        result = materialize(published, alerts)
        assert result.success  # quality problems never fail the load

        # one check per rule, graded as the spec says, each failing on its planted violation
        found = checks(result)
        assert set(found) == {r.check_name for r in RULES}
        for r in RULES:
            evaluation = found[r.check_name]
            assert evaluation.passed is False, r.id
            expected = dg.AssetCheckSeverity.ERROR if r.severity == "error" \
                else dg.AssetCheckSeverity.WARN
            assert evaluation.severity == expected
            assert evaluation.metadata["open"].value >= 1
        assert found["ENF_09"].metadata["violations"].value == 2
        assert found["ENF_05"].description.startswith("ENF-05")

        dq = metadata(result, "dq_issues")
        assert dq["new_issues"] == len(EXPECTED_VIOLATIONS)
        assert (dq["open_errors"], dq["open_warnings"]) == (N_ERRORS, N_WARNINGS)
        sent = metadata(result, "quality_alerts")
        assert (sent["new_errors"], sent["new_warnings"]) == (N_ERRORS, N_WARNINGS)
        assert sent["channels_failed"] == "-"
        assert len(hook.requests) == 1 and len(smtp.mails) == 1
        assert smtp.mails[0].subject == (
            f"[tuphap] {N_ERRORS} lỗi, {N_WARNINGS} cảnh báo về số liệu báo cáo")
        assert ("Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc > có điều kiện"
                " 3.500 việc") in hook.requests[0]["json"]["text"]

        # published atomically: every issue recorded, open and alerted
        rows = issues(published)
        assert {r[:4] for r in rows} == EXPECTED_VIOLATIONS
        assert all(r[4] == "open" and r[5] for r in rows)

        # the next load finds the same figures: nothing new, nothing sent, checks still fail
        again = materialize(published, alerts)
        assert again.success
        assert metadata(again, "dq_issues")["new_issues"] == 0
        assert metadata(again, "quality_alerts")["new_errors"] == 0
        assert len(hook.requests) == 1 and len(smtp.mails) == 1
        assert not any(e.passed for e in checks(again).values())

    events = repr([e.event_specific_data for e in result.all_events])
    assert TOKEN not in events and PASSWORD not in events


def test_a_consistent_load_passes_every_check(clean_warehouse: Path,
                                              warehouse_copy: WarehouseCopy) -> None:
    published = warehouse_copy(clean_warehouse)
    result = materialize(published, AlertChannelsResource())
    assert result.success
    assert all(e.passed for e in checks(result).values())
    assert len(checks(result)) == len(RULES)
    assert metadata(result, "quality_alerts")["channels_ok"] == "-"  # nothing to send
    assert issues(published) == []
    assert not (published.parent / "alerts.log").exists()


def test_dead_channels_from_the_environment(violations_warehouse: Path,
                                            warehouse_copy: WarehouseCopy,
                                            monkeypatch: pytest.MonkeyPatch,
                                            closed_port: Callable[[], int]) -> None:
    published = warehouse_copy(violations_warehouse)
    monkeypatch.setenv("TUPHAP_ALERT_WEBHOOK_URL",
                       f"http://127.0.0.1:{closed_port()}/hooks/{TOKEN}?token={TOKEN}")
    monkeypatch.setenv("TUPHAP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TUPHAP_SMTP_PORT", str(closed_port()))
    monkeypatch.setenv("TUPHAP_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("TUPHAP_SMTP_USER", "tuphap")
    monkeypatch.setenv("TUPHAP_ALERT_EMAIL_TO", "stp@example.org")
    monkeypatch.delenv("TUPHAP_ALERT_LOG", raising=False)
    alerts = AlertChannelsResource.from_env()
    result = materialize(published, alerts)
    assert result.success
    sent = metadata(result, "quality_alerts")
    assert sent["channels_failed"].startswith("webhook http://127.0.0.1:")
    assert "smtp 127.0.0.1:" in sent["channels_failed"]
    assert sent["channels_ok"] == f"log {published.parent / 'alerts.log'}"
    log = (published.parent / "alerts.log").read_text(encoding="utf-8")
    assert "FAILED after 3 attempt(s)" in log
    assert "giải quyết xong 3.569 việc > có điều kiện 3.500 việc" in log
    # issues recorded (and alerted through the log) despite the dead channels
    assert {r[:4] for r in issues(published)} == EXPECTED_VIOLATIONS
    events = repr([e.event_specific_data for e in result.all_events]) + repr(sent) + log
    assert TOKEN not in events and PASSWORD not in events

"""Dagster assets of data quality: `dq_issues` (every rule, merged into the issue history) and
`quality_alerts` (one message per load about new issues).

Quality problems never fail a load: each rule reports through its own asset check (ERROR or
WARN, as quality-rules.md grades it), non-blocking. Only a broken pipeline (a missing model, an
expectation that cannot run) raises.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation at runtime.
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from expectations.rules import RULES
from orchestration import settings
from orchestration.dbt.assets import warehouse_models
from orchestration.quality.alerts import ChannelOutcome, compose_alert, deliver
from orchestration.quality.evaluate import evaluate_rules, read_row_inputs, read_sql_violations
from orchestration.quality.explained import mark_explanations_alerted, pending_explanations
from orchestration.quality.issues import (
    MergeResult,
    ensure_issues_table,
    mark_alerted,
    merge_violations,
    pending_alerts,
)
from orchestration.quality.resources import AlertChannelsResource
from orchestration.quality.row_rules import RowRulesResource
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.resources import WarehouseResource

# Every rule reads the dbt models of this load (marts, intermediate and quality models).
DQ_DEPS = [warehouse_models]

Connect = Callable[[], AbstractContextManager[Connection]]


def _check_severity(severity: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if severity == "error" else dg.AssetCheckSeverity.WARN


CHECK_SPECS = [
    dg.AssetCheckSpec(
        name=r.check_name, asset="dq_issues", blocking=False,
        description=f"{r.id} ({r.severity}): {r.description}",
    )
    for r in RULES
]


def _open_totals(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        "select severity, status, count(*) from {main}.dq_issues group by severity, status"
    ).fetchall()
    totals = {"open_errors": 0, "open_warnings": 0, "acknowledged": 0}
    for severity, status, n in rows:
        if status == "open":
            totals["open_errors" if severity == "error" else "open_warnings"] += n
        elif status == "acknowledged":
            totals["acknowledged"] += n
    return totals


def check_results(merged: MergeResult) -> list[dg.AssetCheckResult]:
    """One result per rule: passed when this load left no open violation of it."""
    results = []
    for r in RULES:
        counts = merged.by_rule.get(r.id, {})
        results.append(dg.AssetCheckResult(
            check_name=r.check_name,
            passed=counts.get("open", 0) == 0,
            severity=_check_severity(r.severity),
            description=f"{r.id}: {r.description}",
            metadata={
                "rule_id": r.id,
                "violations": counts.get("violations", 0),
                "open": counts.get("open", 0),
                "acknowledged": counts.get("acknowledged", 0),
            },
        ))
    return results


@dg.asset(
    name="dq_issues",
    group_name="quality",
    deps=DQ_DEPS,
    check_specs=CHECK_SPECS,
    kinds={settings.warehouse_kind(), "python"},
    description=(
        "Every data-quality rule of quality-rules.md evaluated on this load (Great Expectations"
        " suites for the row rules, dbt models for the cross-row rules) and merged into the"
        " issue history main.dq_issues: new violations open, corrected ones resolve."
    ),
)
def dq_issues(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
              row_rules: RowRulesResource) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        row_inputs = read_row_inputs(conn)
        sql_violations = read_sql_violations(conn)
    # No connection held while the suites run (in the warm worker process).
    violations = evaluate_rules(row_inputs, sql_violations, row_rules.validate)
    with warehouse.connect() as conn:
        merged = merge_violations(conn, violations)
        totals = _open_totals(conn)
    context.log.info(
        f"data quality: {merged.produced} violation(s) this load, {len(merged.new)} new,"
        f" {len(merged.reopened)} reopened, {len(merged.resolved)} resolved;"
        f" open: {totals['open_errors']} error(s), {totals['open_warnings']} warning(s)"
    )
    return dg.MaterializeResult(
        metadata={
            "violations_this_load": merged.produced,
            "new_issues": len(merged.new),
            "reopened_issues": len(merged.reopened),
            "resolved_issues": len(merged.resolved),
            **totals,
            "by_rule": dg.MetadataValue.json(merged.by_rule),
        },
        check_results=check_results(merged),
    )


@dataclass
class AlertRun:
    """What one alerting step did."""

    new_errors: int = 0
    new_warnings: int = 0
    new_explanations: int = 0  # units' explanations listed (each once)
    outcomes: list[ChannelOutcome] = field(default_factory=list)
    alerted: int = 0  # issues marked alerted

    @property
    def channels_ok(self) -> list[str]:
        return [o.channel for o in self.outcomes if o.ok]

    @property
    def channels_failed(self) -> list[str]:
        return [o.channel for o in self.outcomes if not o.ok]


def send_new_issue_alerts(connect: Connect, alerts: AlertChannelsResource,
                          folder: Path, *, now: datetime | None = None,
                          sleep: Callable[[float], None] | None = None) -> AlertRun:
    """Alert the open issues never alerted, and the units' explanations not yet listed, once,
    on every channel; mark those delivered.

    The connection is closed while the channels are tried (they may take seconds each).
    """
    with connect() as conn:
        ensure_issues_table(conn)
        pending = pending_alerts(conn)
        explanations = pending_explanations(conn)
    run = AlertRun(
        new_errors=sum(1 for i in pending if i["severity"] == "error"),
        new_warnings=sum(1 for i in pending if i["severity"] != "error"),
        new_explanations=len(explanations),
    )
    alert = compose_alert(pending, explanations, generated_at=now)
    if alert is None:
        return run
    kwargs: dict[str, Any] = {"attempts": alerts.attempts,
                              "backoff_seconds": alerts.retry_backoff_seconds}
    if sleep is not None:
        kwargs["sleep"] = sleep
    run.outcomes = deliver(alert, alerts.remote_channels(), alerts.log_channel(folder),
                           **kwargs)
    if run.channels_ok:
        with connect() as conn:
            run.alerted = mark_alerted(conn, alert.fingerprints, now or datetime.now(UTC))
            mark_explanations_alerted(conn, alert.explained)
    return run


@dg.asset(
    name="quality_alerts",
    group_name="quality",
    deps=[dg.AssetKey("dq_issues")],
    kinds={"python"},
    description=(
        "One alert per load about the new data-quality issues (webhook, e-mail, local log),"
        " grouped by unit, errors first, and the units' explanations received since the last"
        " one (each listed once). A failing channel is reported, never fatal."
    ),
)
def quality_alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   alerts: AlertChannelsResource) -> dg.MaterializeResult:
    run = send_new_issue_alerts(warehouse.connect, alerts, warehouse.engine.local_dir)
    for outcome in run.outcomes:
        if outcome.ok:
            context.log.info(f"alert sent via {outcome.channel}")
        else:
            context.log.warning(f"alert channel {outcome.channel} failed after"
                                f" {outcome.attempts} attempt(s): {outcome.error}")
    if not run.outcomes:
        context.log.info("no new data-quality issue or explanation: nothing to alert")
    return dg.MaterializeResult(metadata={
        "new_errors": run.new_errors,
        "new_warnings": run.new_warnings,
        "new_explanations": run.new_explanations,
        "new_issues_by_severity": dg.MetadataValue.json(
            {"error": run.new_errors, "warn": run.new_warnings}),
        "channels": dg.MetadataValue.json({
            o.channel: "ok" if o.ok else f"failed after {o.attempts} attempt(s): {o.error}"
            for o in run.outcomes}),
        "issues_alerted": run.alerted,
        "channels_ok": ", ".join(run.channels_ok) or "-",
        "channels_failed": ", ".join(run.channels_failed) or "-",
        "channel_errors": dg.MetadataValue.json(
            {o.channel: o.error for o in run.outcomes if not o.ok}),
    })


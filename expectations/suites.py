"""Great Expectations suites for the row rules, built from the catalogue in rules.py.

One suite per dataset (enforcement, mediation, dissemination). Each expectation carries its
rule id in `meta`, so a failed expectation maps back to a rule. great_expectations is imported
inside the functions: importing it costs seconds, and most callers of this package never
validate anything.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from expectations.rules import DATASET_MODELS, ROW_RULES, RowCheck, Rule

if TYPE_CHECKING:  # pragma: no cover - typing only
    import great_expectations as gx


def import_gx() -> Any:
    """Import great_expectations with its usage statistics switched off (no internet here)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def _expectation(gx_module: Any, rule: Rule, check: RowCheck) -> Any:
    meta = {"rule_id": rule.id, "severity": rule.severity}
    expectations = gx_module.expectations
    if check.kind == "zero":
        return expectations.ExpectColumnValuesToBeBetween(
            column=check.column, min_value=0, max_value=0, meta=meta
        )
    if check.kind == "max":
        return expectations.ExpectColumnValuesToBeBetween(
            column=check.column, max_value=check.max_value, meta=meta
        )
    if check.kind == "pair_ge":
        # A row where either operand is missing (not reported) is skipped, not failed.
        return expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=check.column_a, column_B=check.column_b, or_equal=True,
            ignore_row_if="either_value_is_missing", meta=meta,
        )
    raise ValueError(f"unknown row check kind {check.kind!r}")


def build_suites() -> dict[str, gx.ExpectationSuite]:
    """dataset name -> its suite (not yet registered with any context)."""
    gx_module = import_gx()
    suites: dict[str, Any] = {}
    for dataset in DATASET_MODELS:
        suite = gx_module.ExpectationSuite(name=f"tuphap_{dataset}_row_rules")
        for rule in ROW_RULES:
            if rule.dataset != dataset:
                continue
            for check in rule.checks:
                suite.add_expectation(_expectation(gx_module, rule, check))
        suites[dataset] = suite
    return suites

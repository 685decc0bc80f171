"""Great Expectations suites for the row rules, built from the rule catalogue (rules.py).

One suite per dataset (enforcement, mediation, dissemination). Each expectation carries its
rule id in `meta`, so a failed expectation maps back to a rule. great_expectations is imported
inside the functions: importing it costs seconds, and most callers of this package never
validate anything.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from expectations.rules import DATASET_MODELS, ROW_RULES, Check, Rule

if TYPE_CHECKING:  # pragma: no cover - typing only
    import great_expectations as gx


def import_gx() -> Any:
    """Import great_expectations with its usage statistics switched off (no internet here)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def _expectation(gx_module: Any, rule: Rule, check: Check) -> Any:
    """The GX expectation of one check: a prepared column is 0 (an identity, a rate) or <= 0
    (a bound over an expression); two plain columns are compared directly."""
    meta = {"rule_id": rule.id, "severity": rule.severity}
    expectations = gx_module.expectations
    if check.column is None:
        # left <= right on two columns. A row where either operand is missing (not reported)
        # is skipped, not failed.
        return expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=check.right, column_B=check.left, or_equal=True,
            ignore_row_if="either_value_is_missing", meta=meta,
        )
    if check.kind == "at_most":
        return expectations.ExpectColumnValuesToBeBetween(
            column=check.column, max_value=0, meta=meta
        )
    return expectations.ExpectColumnValuesToBeBetween(
        column=check.column, min_value=0, max_value=0, meta=meta
    )


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

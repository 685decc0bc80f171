"""Great Expectations suites for the row rules, built from the rule catalogue (rules.py).

One suite per dataset (enforcement, mediation, dissemination). Each expectation carries its
rule id in `meta`, so a failed expectation maps back to a rule. great_expectations is imported
inside the functions: importing it costs seconds, and most callers of this package never
validate anything.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Any

from expectations.rules import DATASET_MODELS, ROW_RULES, Check, Rule

if TYPE_CHECKING:  # pragma: no cover - typing only
    import great_expectations as gx


# Imported by great_expectations for expectations no suite here uses (KL divergence, KS tests).
UNUSED_AT_IMPORT = "scipy.stats"


def import_gx() -> Any:
    """Import great_expectations with its usage statistics switched off (no internet here)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    defer_import(UNUSED_AT_IMPORT)
    import great_expectations

    return great_expectations


def defer_import(name: str) -> None:
    """Make the submodule `name` load the first time it is used rather than when imported.

    Great Expectations imports scipy.stats as it is imported, for three expectations these
    suites never run: ~0,9 s of CPU and ~55 MiB in every process that validates (each load's
    worker). The standard library's LazyLoader gives a module that runs its code, whole, at
    its first attribute access; it is also set on the parent package, which would otherwise
    import it through its own `__getattr__` (and so touch it) on `from scipy import stats`.
    Nothing changes if it is already imported or not installed.
    """
    parent_name, _, child = name.rpartition(".")
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if parent_name:
        setattr(sys.modules[parent_name], child, module)


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

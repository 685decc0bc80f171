"""The data-quality rules of quality-rules.md (version 1), as the rest of the code uses them.

The rules are declared once, in the rule catalogue that dbt reads too (the quality models'
property files; see expectations/catalogue.py for where and why), and read here when this
module is imported (a few milliseconds of YAML, no process, no write). Everything else (the GX
suites, the dbt models' columns and severities, the Dagster asset checks, the messages) is
derived from these objects. No Great Expectations import here: it is slow, and the catalogue is
needed by cheap code paths (CLI, alerts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from expectations.catalogue import Check, Rule, Severity, catalogue_files, read_rules

__all__ = [
    "DATASET_FORMS", "DATASET_MODELS", "ROW_KEY_COLUMNS", "ROW_RULES", "RULES", "RULES_BY_ID",
    "SEVERITY_ORDER", "SQL_RULES", "Check", "Rule", "Severity", "Violation", "rule",
]

RULES: tuple[Rule, ...] = read_rules(catalogue_files())
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
ROW_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.kind == "row")
SQL_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.kind == "sql")
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warn": 1}

# The dbt models (schema `quality`) that carry one row per unit, year and form, with the
# operands and the prepared columns the GX suites check: dataset name -> model, and its forms.
DATASET_MODELS: dict[str, str] = {r.dataset: r.model for r in ROW_RULES if r.dataset}
DATASET_FORMS: dict[str, tuple[str, ...]] = {r.dataset: r.forms for r in ROW_RULES if r.dataset}
# Columns that identify a row of every row-input model (GX unexpected_index_column_names).
ROW_KEY_COLUMNS = ("unit_code", "year", "form")


def rule(rule_id: str) -> Rule:
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown data-quality rule {rule_id!r}") from None


@dataclass(frozen=True)
class Violation:
    """One rule broken by one unit, year and form, whatever evaluated it (GX or SQL).

    `values` are the operands: they identify the violation (fingerprint) and fill the message.
    `context` only helps the message (names of files, predecessor units) and is not part of the
    identity, so renaming a unit in the register does not reopen its issues.
    """

    rule_id: str
    severity: Severity
    form: str | None
    unit_code: str
    province_code: str | None
    year: int
    values: Mapping[str, Any]
    unit_name: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

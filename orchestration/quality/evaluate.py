"""Evaluate every rule of quality-rules.md on a built warehouse.

Row rules: the `quality.dq_*_row_inputs` models are read into pandas and validated by the Great
Expectations suites (expectations/). Cross-row rules: the dbt model `quality.dq_sql_violations`
already holds their violations. Both come back as `Violation`s in one shape.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd

from expectations.rules import DATASET_MODELS, Violation, rule

QUALITY_SCHEMA = "quality"


def read_row_frames(conn: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """dataset name -> the rows of its row-input model (identifiers we control, no user text)."""
    return {
        dataset: conn.execute(
            f"select * from {QUALITY_SCHEMA}.{model} order by unit_code, year, form"  # noqa: S608
        ).df()
        for dataset, model in DATASET_MODELS.items()
    }


def _json(text: Any) -> dict[str, Any]:
    if text is None:
        return {}
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


def read_sql_violations(conn: duckdb.DuckDBPyConnection) -> list[Violation]:
    """The cross-row rules' violations of this build (quality.dq_sql_violations)."""
    rows = conn.execute(
        "select rule_id, severity, form, unit_code, province_code, year, unit_display_name,"
        " values_json, context_json from quality.dq_sql_violations"
        " order by rule_id, unit_code, year, form, violation_key"
    ).fetchall()
    out = []
    for rule_id, _severity, form, unit, province, year, name, values, context in rows:
        spec = rule(rule_id)
        out.append(Violation(
            rule_id=spec.id, severity=spec.severity, form=form, unit_code=unit,
            province_code=province, year=int(year), values=_json(values), unit_name=name,
            context=_json(context),
        ))
    return out


def evaluate_rules(row_frames: dict[str, pd.DataFrame],
                   sql_violations: list[Violation]) -> list[Violation]:
    """All violations: the GX row rules on the frames, plus the SQL rules' rows."""
    from expectations.runner import run_row_rules  # imports Great Expectations (slow)

    return run_row_rules(row_frames) + list(sql_violations)

"""Evaluate every rule of quality-rules.md on a built warehouse.

Row rules: the `quality.dq_*_row_inputs` models are read as NumPy columns and validated by the
Great Expectations suites (expectations/), as pandas frames. Cross-row rules: the dbt model
`quality.dq_sql_violations` already holds their violations. Both come back as `Violation`s in
one shape. A load hands the tables to its warm worker process (RowRulesResource), so its own
process never imports pandas or Great Expectations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from expectations.rules import DATASET_MODELS, Violation, rule
from orchestration.warehouse.engine import Connection

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    import pandas as pd

# dataset name -> its row-input model's columns (NumPy arrays, as DuckDB's fetchnumpy gives)
RowInputs = Mapping[str, Mapping[str, "np.ndarray"]]


def read_row_inputs(conn: Connection) -> dict[str, dict[str, np.ndarray]]:
    """dataset name -> the rows of its row-input model (identifiers we control, no user text).
    NumPy columns: cheap to hand to the worker, and neither pandas nor pyarrow is imported."""
    return {
        dataset: conn.execute(
            f"select * from {{quality}}.{model} order by unit_code, year, form"  # noqa: S608
        ).fetchnumpy()
        for dataset, model in DATASET_MODELS.items()
    }


def frames(row_inputs: RowInputs) -> dict[str, pd.DataFrame]:
    import pandas as pd

    return {dataset: pd.DataFrame(dict(columns)) for dataset, columns in row_inputs.items()}


def _json(text: Any) -> dict[str, Any]:
    if text is None:
        return {}
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


def read_sql_violations(conn: Connection) -> list[Violation]:
    """The cross-row rules' violations of this build (quality.dq_sql_violations)."""
    rows = conn.execute(
        "select rule_id, severity, form, unit_code, province_code, year, unit_display_name,"
        " values_json, context_json from {quality}.dq_sql_violations"
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


RowValidator = Callable[[RowInputs], list[Violation]]


def warm_up() -> None:
    """Run in the worker before it is needed: import Great Expectations (~5 s of CPU) and
    build the suites once, so everything validation loads is loaded (each validation builds
    them again, in milliseconds, in a context of its own). A function of this module, so the
    worker imports what validation needs, not Dagster; it starts no thread (the preload
    server runs it, then forks)."""
    from expectations.runner import build_suites, import_gx

    import_gx().get_context(mode="ephemeral")  # the suites are built in a context
    build_suites()


def validate_row_inputs(row_inputs: RowInputs) -> list[Violation]:
    """The GX row rules on the row inputs (imports pandas and Great Expectations: slow)."""
    from expectations.runner import run_row_rules

    return run_row_rules(frames(row_inputs))


def evaluate_rules(row_inputs: RowInputs, sql_violations: list[Violation],
                   validate_rows: RowValidator = validate_row_inputs) -> list[Violation]:
    """All violations: the GX row rules on the row inputs, plus the SQL rules' rows.

    `validate_rows` runs the GX suites: here by default, in its warm worker in a load
    (RowRulesResource.validate).
    """
    return validate_rows(row_inputs) + list(sql_violations)

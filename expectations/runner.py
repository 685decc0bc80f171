"""Run the row-rule suites on pandas DataFrames and return the violations.

The frames are the `quality.dq_*_row_inputs` models read from DuckDB (GX's SQL datasources do
not work on DuckDB, so the data comes to GX as pandas). Each runs in a fresh ephemeral GX
context: nothing is written to disk, and two loads never share state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from expectations.rules import DATASET_MODELS, ROW_KEY_COLUMNS, Violation, rule
from expectations.suites import build_suites, import_gx
from ingest.errors import TuphapError

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": list(ROW_KEY_COLUMNS),
}


class RowRuleError(TuphapError, RuntimeError):
    """An expectation could not be evaluated (a bug or a schema change, not a data problem)."""


def plain(value: Any) -> Any:
    """numpy/pandas scalars -> JSON-friendly Python: NaN/NA -> None, 12.0 -> 12, 89.68 stays."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
    return value


TEXT_COLUMNS = frozenset({"unit_code", "province_code", "form", "submission_id",
                          "unit_display_name"})


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures as float64 (NaN = not reported), whatever DuckDB typed them (Int64, all-NULL
    object columns, decimals): GX's pandas expectations handle these best."""
    out = frame.reset_index(drop=True).copy()
    for column in out.columns:
        if column not in TEXT_COLUMNS and column != "year":
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out["year"] = out["year"].astype("int64")
    return out


def _row_key(record: Mapping[str, Any]) -> tuple[str, int, str]:
    return (str(record["unit_code"]), int(record["year"]), str(record["form"]))


def _violation(rule_id: str, row: Mapping[str, Any]) -> Violation:
    spec = rule(rule_id)
    values = {name: plain(row.get(name)) for name in spec.operands}
    province = row.get("province_code")
    name = row.get("unit_display_name")
    return Violation(
        rule_id=spec.id, severity=spec.severity, form=str(row["form"]),
        unit_code=str(row["unit_code"]),
        province_code=None if plain(province) is None else str(province),
        year=int(row["year"]), values=values,
        unit_name=None if plain(name) is None else str(name),
    )


def _validate(context: Any, datasource: Any, dataset: str, frame: pd.DataFrame,
              suite: Any) -> Iterable[tuple[str, tuple[str, int, str]]]:
    asset = datasource.add_dataframe_asset(name=dataset)
    definition = asset.add_batch_definition_whole_dataframe(f"{dataset}_whole_frame")
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(context.suites.add(suite), result_format=RESULT_FORMAT)
    for outcome in result.results:
        meta = outcome.expectation_config.meta or {}
        info = outcome.exception_info or {}
        if info.get("raised_exception"):
            raise RowRuleError(
                f"{meta.get('rule_id')}: expectation {outcome.expectation_config.type} failed to"
                f" run on {dataset}: {info.get('exception_message')}"
            )
        if outcome.success:
            continue
        for record in outcome.result.get("unexpected_index_list") or []:
            yield meta["rule_id"], _row_key(record)


def run_row_rules(frames: Mapping[str, pd.DataFrame]) -> list[Violation]:
    """Validate each dataset's frame with its suite; one Violation per rule and row.

    `frames` maps a dataset name of rules.DATASET_MODELS to the model's rows. A rule with two
    expectations (ENF-06, DIS-01) yields one violation per row even if both fail.
    """
    unknown = set(frames) - set(DATASET_MODELS)
    if unknown:
        raise ValueError(f"unknown datasets {sorted(unknown)}")
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas(name="tuphap_row_inputs")
    suites = build_suites()
    violations: dict[tuple[str, tuple[str, int, str]], Violation] = {}
    for dataset, raw in frames.items():
        if raw.empty:
            continue
        frame = _prepare(raw)
        rows = {_row_key(r): r for r in frame.to_dict(orient="records")}
        for rule_id, key in _validate(context, datasource, dataset, frame, suites[dataset]):
            if (rule_id, key) not in violations:
                violations[(rule_id, key)] = _violation(rule_id, rows[key])
    return sorted(violations.values(), key=lambda v: (v.rule_id, v.unit_code, v.year, v.form))

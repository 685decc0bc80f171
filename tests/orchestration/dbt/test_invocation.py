"""A load's `dbt build` (orchestration/dbt/invocation.py): its arguments, its test counts, and
the models it left as they were, reported in the order Dagster needs."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt.invocation import dbt_build_args, dbt_test_outcomes, report_unchanged


def test_dbt_build_leaves_unit_tests_to_ci_and_passes_no_vars() -> None:
    assert dbt_build_args() == ["build", "--log-level-file", "none",
                                "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(unit_tests=True) == ["build", "--log-level-file", "none"]
    assert dbt_build_args(full_refresh=True)[-1] == "--full-refresh"
    assert not any(arg.startswith("--vars") for arg in dbt_build_args(full_refresh=True))


def test_dbt_test_outcomes_count_tests_only() -> None:
    results = {"results": [
        {"unique_id": "model.tuphap.fct_mediation", "status": "success"},
        {"unique_id": "test.tuphap.unique_x", "status": "pass"},
        {"unique_id": "test.tuphap.unique_y", "status": "pass"},
        {"unique_id": "test.tuphap.values_z", "status": "warn"},
    ]}
    assert dbt_test_outcomes(results) == {"pass": 2, "warn": 1}
    assert dbt_test_outcomes({}) == {}


# raw -> totals -> fct_m -> cb_m; totals -> enf09 -> violations; rpt reads fct_m and totals
DEPENDENCIES = {"totals": {"raw"}, "fct_m": {"totals"}, "cb_m": {"fct_m"},
                "rpt": {"fct_m", "totals"}, "enf09": {"totals"}, "violations": {"enf09"}}
SELECTED = {"totals", "fct_m", "cb_m", "rpt", "enf09", "violations"}


def _order(events: list) -> list[tuple[str, str]]:
    """(what, model) of each event: "built" for dbt's outputs, "left" for the others."""
    return [("built", e.output_name) if isinstance(e, dg.Output) else ("left", e)
            for e in events]


def _report(built: list[str]) -> list[tuple[str, str]]:
    events = [dg.Output(None, output_name=name) for name in built]
    return _order(list(report_unchanged(
        events, selected=SELECTED, dependencies=DEPENDENCIES, key_for_output=lambda name: name,
        left_as_is=lambda key: key)))


def test_models_left_as_they_were_come_before_the_first_rebuilt_model_reading_them() -> None:
    # A partial build: the mediation part (fct_m, cb_m) stood, the shared models were rebuilt.
    reported = _report(["totals", "rpt", "enf09", "violations"])
    assert reported == [("built", "totals"), ("left", "fct_m"), ("built", "rpt"),
                        ("built", "enf09"), ("built", "violations"), ("left", "cb_m")]


def test_every_selected_model_is_reported_once_whatever_dbt_built() -> None:
    for built in ([], ["totals"], sorted(SELECTED, key=list(DEPENDENCIES).index)):
        reported = _report(built)
        assert sorted(model for _, model in reported) == sorted(SELECTED)
        seen: set[str] = set()
        for _, model in reported:  # in dependency order: parents first
            assert not (DEPENDENCIES.get(model, set()) & SELECTED) - seen, (built, model)
            seen.add(model)
    assert {what for what, _ in _report([])} == {"left"}  # nothing built: every one left

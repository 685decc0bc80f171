"""The dbt project parses cleanly and keeps its conventions (no database needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.forms import FORM_INDICATORS, RATE_INDICATORS
from tests.dbt.conftest import DBT_PROJECT_DIR, run_dbt

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")

MY_MODEL_FOLDERS = ("staging", "intermediate", "marts")
PRIMARY_KEY_TESTS = {"unique", "unique_combination_of_columns"}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work_dir = tmp_path_factory.mktemp("dbt_parse")
    run = run_dbt(["parse"], work_dir / "unused.duckdb", work_dir)
    assert run.result.success, run.errors
    manifest = json.loads((run.target_path / "manifest.json").read_text())
    return {"run": run, "manifest": manifest}


def test_parse_has_no_warnings(parsed: dict[str, Any]) -> None:
    assert parsed["run"].warnings == []
    assert parsed["run"].errors == []


def test_indicator_vars_match_the_forms_of_ingest() -> None:
    """dbt pivots the indicators ingest writes: the two lists must be the same."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    variables = project["vars"]
    rates = set(variables["rate_indicators"])
    assert rates == set(RATE_INDICATORS)
    assert tuple(variables["dissemination_indicators"]) == FORM_INDICATORS["PBGDPL"]
    assert tuple(variables["mediation_count_indicators"]) == tuple(
        i for i in FORM_INDICATORS["HOAGIAI"] if i not in rates)
    for form in ("THADS_VIEC", "THADS_TIEN"):
        assert tuple(variables["enforcement_count_indicators"]) == tuple(
            i for i in FORM_INDICATORS[form] if i not in rates)


def _my_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"
            and Path(n["original_file_path"]).parts[1] in MY_MODEL_FOLDERS]


def test_every_model_has_a_primary_key_test(parsed: dict[str, Any]) -> None:
    manifest = parsed["manifest"]
    tested: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            if node["test_metadata"]["name"] in PRIMARY_KEY_TESTS and node.get("attached_node"):
                tested.add(node["attached_node"])
    missing = [m["name"] for m in _my_models(manifest) if m["unique_id"] not in tested]
    assert missing == []


def test_models_follow_the_naming_of_their_layer(parsed: dict[str, Any]) -> None:
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",),
                "marts": ("fct_", "dim_", "rpt_", "rejected_reports")}
    for model in _my_models(parsed["manifest"]):
        folder = Path(model["original_file_path"]).parts[1]
        assert model["name"].startswith(prefixes[folder]), model["name"]


def test_schemas_are_used_verbatim(parsed: dict[str, Any]) -> None:
    expected = {"staging": "staging", "intermediate": "intermediate", "marts": "main",
                "quality": "quality"}
    for node in parsed["manifest"]["nodes"].values():
        if node["resource_type"] == "model":
            folder = Path(node["original_file_path"]).parts[1]
            assert node["schema"] == expected[folder], node["name"]
        if node["resource_type"] == "seed":
            assert node["schema"] == "reference"


def test_province_codes_of_seeds_stay_text(parsed: dict[str, Any]) -> None:
    seeds = {n["name"]: n for n in parsed["manifest"]["nodes"].values()
             if n["resource_type"] == "seed"}
    for name in ("ref_provinces", "ref_units", "ref_cluster_membership"):
        assert seeds[name]["config"]["column_types"]["province_code"] == "varchar"


def test_dagster_sees_the_raw_tables_as_the_ingest_assets(parsed: dict[str, Any]) -> None:
    """The orchestration's dbt assets: models by name, fed only by the ingest's raw tables."""
    from orchestration.dbt.assets import warehouse_models

    sources = parsed["manifest"]["sources"].values()
    assert {s["name"] for s in sources if s["source_name"] == "raw"} == {
        "received_files", "file_receipts", "submissions", "submission_values",
        "target_decisions", "target_values", "skipped_inbox_entries", "reporting_calendar"}
    for source in sources:
        assert source["description"].strip(), source["name"]

    specs = list(warehouse_models.specs)
    keys = {spec.key for spec in specs}
    upstream = {dep.asset_key for spec in specs for dep in spec.deps} - keys
    assert {key.to_user_string() for key in upstream} == {
        "raw/received_files", "raw/file_receipts", "raw/submissions", "raw/submission_values",
        "raw/target_decisions", "raw/target_values", "raw/reporting_calendar"}
    assert {key.to_user_string() for key in keys} >= {
        "fct_enforcement", "rpt_cluster_year", "int_unit_totals", "ref_units"}

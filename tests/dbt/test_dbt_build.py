"""The dbt project built on a real DuckDB file: the build, its layers, contracts and docs.

The scenario (conftest.py) is small and hand-written, so every expected number below can be
checked by hand against it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import duckdb
import pytest

from tests.dbt.conftest import Warehouse, assert_clean_build, run_dbt

# One dbt build per xdist worker is enough: with --dist loadgroup these stay together.
pytestmark = pytest.mark.xdist_group("dbt")


MY_MODEL_FOLDERS = ("staging", "intermediate", "marts")


def manifest(warehouse: Warehouse) -> dict[str, Any]:
    return json.loads((warehouse.build.target_path / "manifest.json").read_text())


def duckdb_type_names(declared: set[str]) -> dict[str, str]:
    """Contract types as DuckDB's catalogue names them: the contracts spell types so that both
    engines know them ('double precision' is DuckDB's DOUBLE)."""
    with duckdb.connect() as con:
        # The types are the project's own yml, not outside input.
        return {name: str(con.execute(f"select typeof(cast(null as {name}))").fetchone()[0])
                for name in declared}


def test_build_succeeds_with_no_warnings(warehouse: Warehouse) -> None:
    assert_clean_build(warehouse.build)


def test_unit_tests_ran(warehouse: Warehouse) -> None:
    unit_tests = {
        r.node.name for r in warehouse.build.result.result.results
        if r.node.resource_type == "unit_test"
    }
    assert {
        "test_winner_is_later_report_date_when_every_submission_is_dated",
        "test_winner_is_later_received_when_a_report_date_is_missing",
        "test_province_mapping_follows_successor_chain",
        "test_unit_total_is_total_row_else_sum_of_subunits",
        "test_success_rate_is_computed_from_counts",
        "test_enforcement_pivots_forms_and_computes_rates",
        "test_current_boundaries_sum_predecessors_and_recompute_rates",
    } <= unit_tests


def test_marts_land_in_main_and_layers_in_their_own_schemas(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select table_schema, table_name, table_type from information_schema.tables"
    )
    where = {r["table_name"]: (r["table_schema"], r["table_type"]) for r in rows}
    for mart in ("fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province",
                 "dim_unit", "dim_reporting_period", "rpt_cluster_year", "rejected_reports",
                 "fct_enforcement_current_boundaries"):
        assert where[mart] == ("main", "BASE TABLE"), mart
    assert where["stg_raw__submissions"][0] == "staging"
    assert where["int_submissions_ranked"][0] == "intermediate"
    assert where["ref_provinces"][0] == "reference"
    assert "dq_issues" not in where  # managed by Python, not dbt
    # An analyst needs no schema prefix for the marts.
    assert warehouse.query("select count(*) as n from fct_enforcement")[0]["n"] == 3


def test_public_marts_enforce_their_contracts(warehouse: Warehouse) -> None:
    nodes = manifest(warehouse)["nodes"].values()
    marts = [n for n in nodes if n["resource_type"] == "model"
             and n["original_file_path"].startswith("models/marts/")]
    assert {n["name"] for n in marts} >= {
        "fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province", "dim_unit",
        "dim_reporting_period", "rpt_cluster_year", "rejected_reports",
        "fct_dissemination_current_boundaries", "fct_mediation_current_boundaries",
        "fct_enforcement_current_boundaries"}
    type_names = duckdb_type_names(
        {c["data_type"] for node in marts for c in node["columns"].values()})
    for node in marts:
        assert node["config"]["contract"]["enforced"], node["name"]
        declared = {c["name"]: type_names[c["data_type"]] for c in node["columns"].values()}
        actual = {
            r["column_name"]: r["data_type"] for r in warehouse.query(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'main' and table_name = ?", [node["name"]])
        }
        assert actual == declared, node["name"]
    # The constraints are real DuckDB constraints, not only documentation.
    constraints = warehouse.query(
        "select constraint_type, constraint_column_names from duckdb_constraints()"
        " where table_name = 'fct_enforcement'"
    )
    assert {"constraint_type": "PRIMARY KEY",
            "constraint_column_names": ["province_code", "year"]} in constraints


def test_every_column_of_my_models_is_documented(warehouse: Warehouse) -> None:
    nodes = manifest(warehouse)["nodes"].values()
    models = [n for n in nodes if n["resource_type"] == "model"
              and n["original_file_path"].split("/")[1] in MY_MODEL_FOLDERS]
    assert len(models) >= 30
    built = defaultdict(set)
    for row in warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns"
    ):
        built[(row["table_schema"], row["table_name"])].add(row["column_name"])
    for node in models:
        assert node["description"].strip(), node["name"]
        actual = built[(node["schema"], node["name"])]
        assert actual, node["name"]
        documented = {name: c["description"] for name, c in node["columns"].items()}
        assert actual == set(documented), node["name"]
        undocumented = [c for c, d in documented.items() if not d.strip()]
        assert undocumented == [], node["name"]


def test_docs_generate(warehouse: Warehouse) -> None:
    """`make docs` works on a built warehouse (reusing the build's parse, as make would)."""
    docs = run_dbt(["docs", "generate"], warehouse.db_path, warehouse.build.target_path.parent)
    assert docs.result.success, docs.errors
    assert docs.warnings == []
    catalog = json.loads((docs.target_path / "catalog.json").read_text())
    assert "model.tuphap.fct_enforcement" in catalog["nodes"]

"""The dbt project built on PostgreSQL gives the warehouse the DuckDB build gives.

The raw rows of the session's DuckDB `warehouse` (conftest.py's scenario) are copied into a
fresh database of the suite's own PostgreSQL server (tests/postgres_server.py) with the
project's raw DDL and COPY; `dbt build` runs there with the profile's `postgres` target (every
model, seed, data test and unit test), and every table and view it built is compared row for
row with the DuckDB build (test_postgres_quality.py does the same for the quality models on a
dataset where every rule fires). Numbers compare as numbers, floats within 1e-12 relative, JSON
documents parsed (their spacing and float spelling differ): tests/postgres/compare.py says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.dbt.conftest import DbtRun, Warehouse, assert_clean_build, run_dbt
from tests.dbt.postgres_target import (
    BUILT_SCHEMAS,
    dbt_environment,
    differing,
    postgres_relations,
)
from tests.postgres.compare import postgres_table
from tests.postgres.raw import copy_raw_tables
from tests.postgres_server import PostgresServer

# The DuckDB build is the session's `warehouse` (one per xdist worker): stay in its group.
pytestmark = pytest.mark.xdist_group("dbt")

PUBLIC_MARTS = ("fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province",
                "dim_unit", "rpt_cluster_year", "rejected_reports", "fct_target_achievement")

# information_schema's spelling of the same type on each engine (the marts' contracts).
POSTGRES_TYPE_NAMES = {
    "character varying": "VARCHAR", "double precision": "DOUBLE",
    # A public rate: numeric on PostgreSQL so that round(rate, 2) works (macro public_rate).
    "numeric": "DOUBLE",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
}


@dataclass
class PostgresWarehouse:
    url: str
    build: DbtRun


@pytest.fixture(scope="module")
def pg_warehouse(warehouse: Warehouse, postgres_server: PostgresServer,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresWarehouse]:
    """The DuckDB warehouse's raw rows in a fresh database, and `dbt build` run there once."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    name = postgres_server.create_database("dbt_build")
    url = postgres_server.url(name)
    copy_raw_tables(warehouse.db_path, url)
    work_dir = tmp_path_factory.mktemp("dbt_build_postgres")
    build = run_dbt(["build"], None, work_dir, env=dbt_environment(url))
    yield PostgresWarehouse(url=url, build=build)
    postgres_server.drop_database(name)


def test_build_succeeds_with_every_test_and_unit_test(
    pg_warehouse: PostgresWarehouse, warehouse: Warehouse
) -> None:
    build = pg_warehouse.build
    assert_clean_build(build)
    # The same nodes ran as on DuckDB: every model, seed, data test and unit test.
    ran = {r.node.unique_id for r in build.result.result.results}
    assert ran == {r.node.unique_id for r in warehouse.build.result.result.results}
    kinds = {str(r.node.resource_type) for r in build.result.result.results}
    assert {"model", "seed", "test", "unit_test"} <= kinds


def test_the_same_relations_in_the_same_schemas(
    pg_warehouse: PostgresWarehouse, warehouse: Warehouse
) -> None:
    on_duckdb = sorted((r["table_schema"], r["table_name"]) for r in warehouse.query(
        "select table_schema, table_name from information_schema.tables"
        " where list_contains(?, table_schema)", [list(BUILT_SCHEMAS)]))
    assert postgres_relations(pg_warehouse.url) == on_duckdb
    # Each public table name is unique across the schemas (warehouse-contract.md).
    names = [name for _schema, name in on_duckdb]
    assert len(names) == len(set(names))
    assert {("main", mart) for mart in PUBLIC_MARTS} <= set(on_duckdb)


def test_every_relation_equals_the_duckdb_build_row_for_row(
    pg_warehouse: PostgresWarehouse, warehouse: Warehouse
) -> None:
    relations = postgres_relations(pg_warehouse.url)
    assert len(relations) >= 40
    assert differing(warehouse.db_path, pg_warehouse.url, relations) == {}
    # Not vacuous: the scenario reaches the facts and the quality rules.
    for schema, name in (("main", "fct_enforcement"), ("main", "rpt_cluster_year"),
                         ("main", "fct_target_achievement"), ("quality", "dq_sql_violations")):
        assert postgres_table(pg_warehouse.url, schema, name).rows, name


def test_public_marts_have_their_contract_types(
    pg_warehouse: PostgresWarehouse, warehouse: Warehouse
) -> None:
    query = ("select table_name, column_name, {} from information_schema.columns"
             " where table_schema = 'main' order by table_name, ordinal_position")
    on_duckdb = [(r["table_name"], r["column_name"], r["data_type"])
                 for r in warehouse.query(query.format("data_type"))]
    with psycopg.connect(pg_warehouse.url) as con:
        # An ARRAY's element type is in udt_name: _varchar for varchar[].
        on_postgres = [
            (table, column, "VARCHAR[]" if udt == "_varchar" else
             POSTGRES_TYPE_NAMES.get(data_type, data_type.upper()))
            for table, column, data_type, udt in con.execute(
                query.format("data_type, udt_name")).fetchall()
        ]
    assert on_postgres == on_duckdb

"""What analysts and BI tools see of the demo warehouse, on both engines (issue 24): each public
table once in the reader's catalog, every table and column described in the database, facts that
join their dimensions one row each on the keys, rates that `round(rate, 2)` takes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Published
from tests.e2e.postgres_load import PUBLIC_TABLES, PostgresLoaded

# One worker owns the shared demo loads (pytest -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

FACTS = ("fct_dissemination", "fct_mediation", "fct_enforcement", "fct_target_achievement")
SYSTEM = ["pg_catalog", "information_schema"]


def _descriptions(published: Published, table: str) -> dict[str, Any]:
    """The table's description ('' key) and each column's, as the engine's catalog holds them
    (on PostgreSQL read as the reader role)."""
    if published.engine == "duckdb":
        rows = published.rows(
            "select '', comment from duckdb_tables() where schema_name = 'main'"
            " and table_name = ? union all select column_name, comment from duckdb_columns()"
            " where schema_name = 'main' and table_name = ?", (table, table))
    else:
        rows = published.rows(
            "select '', obj_description(to_regclass(?), 'pg_class') union all"
            " select column_name, col_description(to_regclass(?), ordinal_position::integer)"
            " from information_schema.columns where table_schema = 'main' and table_name = ?",
            (f"main.{table}", f"main.{table}", table))
    return dict(rows)


@pytest.mark.parametrize("table", PUBLIC_TABLES)
def test_every_public_table_and_column_is_described_in_the_database(
    published: Published, table: str
) -> None:
    described = _descriptions(published, table)
    assert len(described) > 3, described
    assert {name: text for name, text in described.items() if not text} == {}
    if table == "fct_enforcement":  # the yml's texts, e.g. money in thousand VND
        assert "thousand" in described["money_resolved"].lower(), described["money_resolved"]


@pytest.mark.parametrize("fact", FACTS)
def test_each_fact_joins_its_dimensions_one_row_per_fact(published: Published,
                                                         fact: str) -> None:
    (facts,) = published.rows(f"select count(*) from {fact}")[0]  # noqa: S608 - our names
    (joined,) = published.rows(
        f"select count(*) from {fact} join dim_unit using (unit_key)"  # noqa: S608
        " join dim_province using (province_key)")[0]
    assert facts > 0 and joined == facts
    # ... the rows valid for the fact's year: its unit's and its province's codes.
    assert published.rows(
        f"select count(*) from {fact} as f join dim_unit as u using (unit_key)"  # noqa: S608
        " join dim_province as p using (province_key)"
        " where u.unit_code <> f.unit_code or p.province_code <> f.province_code") == [(0,)]


def test_joining_on_the_code_fans_out_where_a_code_has_two_periods(
    published: Published,
) -> None:
    """Why the keys: a code with two validity periods (the 2025 mergers) doubles a join on
    the code, where the key gives one row."""
    (by_code,) = published.rows(
        "select count(*) from fct_enforcement join dim_unit using (unit_code)")[0]
    (facts,) = published.rows("select count(*) from fct_enforcement")[0]
    assert by_code > facts


def test_round_of_a_rate_works_and_keeps_the_value(published: Published) -> None:
    rows = published.rows(
        "select case_resolution_rate, round(case_resolution_rate, 2) from fct_enforcement"
        " where case_resolution_rate is not null order by province_code, year")
    assert rows
    for rate, rounded in rows:
        assert abs(float(rounded) - float(rate)) <= 0.005 + 1e-9
    type_of = ("select data_type from information_schema.columns where table_schema = 'main'"
               " and table_name = 'rpt_cluster_year' and column_name = 'success_rate'")
    assert published.rows(type_of) == [
        ("DOUBLE",) if published.engine == "duckdb" else ("numeric",)]


def test_the_readers_catalog_lists_each_public_table_once_and_only_what_it_can_read(
    pg_demo_load: PostgresLoaded,
) -> None:
    listed = pg_demo_load.rows(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema <> all(?)", (SYSTEM,))
    names = [name for _, name in listed]
    assert {schema for schema, _ in listed} == {"main"}
    assert len(names) == len(set(names))
    assert set(PUBLIC_TABLES) <= set(names)
    for schema, name in listed:  # nothing listed that errors when queried
        pg_demo_load.rows(f'select * from "{schema}"."{name}" limit 1')  # noqa: S608
    columns = pg_demo_load.rows(
        "select distinct table_schema from information_schema.columns"
        " where table_schema <> all(?)", (SYSTEM,))
    assert columns == [("main",)]


def test_the_facts_reference_the_dimensions_with_clean_key_names(
    pg_demo_load: PostgresLoaded,
) -> None:
    keys = set(pg_demo_load.rows(
        "select t.relname::text, c.conname::text, c.contype::text from pg_constraint c"
        " join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace"
        " where n.nspname = 'main' and c.contype in ('p', 'f')"))
    assert ("fct_enforcement", "fct_enforcement_pkey", "p") in keys
    for fact in FACTS:
        assert (fact, f"{fact}_unit_key_fkey", "f") in keys
        assert (fact, f"{fact}_province_key_fkey", "f") in keys
    assert not [name for _, name, _ in keys if "dbt_tmp" in name]


def test_the_issue_documents_are_typed_json(published: Published) -> None:
    types = published.rows(
        "select column_name, lower(data_type) from information_schema.columns"
        " where table_schema = 'main' and table_name = 'dq_issues'"
        " and column_name in ('values', 'details') order by column_name")
    assert types == [("details", "json"), ("values", "json")]
    # ... documents SQL can take apart on either engine
    assert published.rows(
        "select count(*) from dq_issues where json_extract_path_text(\"values\", 'x') is null"
        if published.engine == "postgres" else
        "select count(*) from dq_issues where json_extract_string(\"values\", '$.x') is null"
    )[0][0] > 0

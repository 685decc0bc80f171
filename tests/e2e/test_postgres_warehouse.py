"""The demo load on a PostgreSQL warehouse whose roles someone else created (issue 12's
acceptance): the same public tables as DuckDB, row for row; a reader role that reads every
public table and nothing else, and can write, drop or create nothing; the commands that read a
warehouse work against the server; a second load (the password in the URL) changes nothing,
runs no dbt, keeps the reader's grants and leaves no retired schema; the password is never
printed or stored.

What the reader role sees: the tables and views of schema `main` (the public tables, their
`*_current_boundaries` variants, `dim_reporting_period`, `rpt_national_year`); USAGE on `main`
and on PostgreSQL's own `public` schema (empty, and not writable); nothing of `raw`, `staging`,
`intermediate`, `quality`, `reference` or `tuphap_meta`. Like any role it can list schema names
in the catalogue (pg_namespace) and create temporary tables (PostgreSQL grants TEMP to PUBLIC
by default; a DBA may revoke it): neither touches the warehouse.

The published 2022 figures, planted issues, rejections, corrections and mergers on this same
warehouse are the `[postgres]` cases of test_published_figures.py and test_load.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest
from psycopg import errors

from orchestration.warehouse.pgconnection import PostgresConnection
from tests.e2e.conftest import Loaded, tuphap
from tests.e2e.postgres_load import (
    PUBLIC_TABLES,
    PostgresLoaded,
    SecondLoad,
    main_schema_oid,
    snapshot,
)
from tests.e2e.test_report import PUBLISHED_2022, html_text, pdf_text
from tests.orchestration.export.reading import assert_xlsx_matches
from tests.postgres.compare import Table, differences, duckdb_table

# One worker owns the shared demo loads (pytest -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

# Stamped by each load with its clock, or this machine's path of a received file: they differ
# between any two loads, whatever the engine. Everything else must be equal.
LOAD_TIME_COLUMNS = re.compile(
    r"(.*_)?(received_at|loaded_at)|first_seen_at|last_seen_at|resolved_at|acknowledged_at"
    # rpt_submissions: when each file came, and the days late that follow from it (two loads
    # may straddle midnight)
    r"|alerted_at|archive_path|last_rejected_at|days_late")
# JSON documents compared as documents (tests/postgres/compare.py reads `*_json` columns so),
# without their load-time keys (a GEN-04 issue's details say when each file was received).
JSON_COLUMNS = {"dq_issues": ("values", "details")}
SYSTEM_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast"]


def _columns(con: psycopg.Connection, table: str) -> list[str]:
    return [name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main'"
        " and table_name = %s order by ordinal_position", [table]).fetchall()]


def _without_load_times(table: Table) -> Table:
    """The table with the load-time keys taken out of its JSON documents."""
    def document(value: Any) -> str | None:
        if value is None:
            return None
        parsed = json.loads(value) if isinstance(value, str) else value
        if isinstance(parsed, dict):
            parsed = {k: v for k, v in parsed.items() if not LOAD_TIME_COLUMNS.fullmatch(k)}
        return json.dumps(parsed)

    is_json = [name.endswith("_json") for name in table.columns]
    return Table(table.columns, [
        tuple(document(value) if json_column else value
              for value, json_column in zip(row, is_json, strict=True))
        for row in table.rows])


@pytest.mark.parametrize("table", PUBLIC_TABLES)
def test_the_public_tables_equal_duckdbs_row_for_row(
    demo_load: Loaded, pg_demo_load: PostgresLoaded, table: str
) -> None:
    """The same inbox gives the same public tables on both engines: the same columns in the
    same order, and the same rows but for load-time columns (LOAD_TIME_COLUMNS)."""
    duck = duckdb_table(demo_load.warehouse, "main", table)
    with pg_demo_load.connect() as con:
        assert _columns(con, table) == list(duck.columns)
    compared = [c for c in duck.columns if not LOAD_TIME_COLUMNS.fullmatch(c)]
    assert len(compared) > len(duck.columns) / 2
    as_json = JSON_COLUMNS.get(table, ())
    names = tuple(f"{c}_json" if c in as_json else c for c in compared)
    picked = [duck.columns.index(c) for c in compared]
    duck_side = _without_load_times(Table(names, [tuple(row[i] for i in picked)
                                                  for row in duck.rows]))
    select = ", ".join(f'"{c}" as "{name}"' for c, name in zip(compared, names, strict=True))
    with pg_demo_load.connect() as con:  # as the reader: what analysts get
        cursor = con.execute(f"select {select} from main.{table}")  # noqa: S608 - catalogue names
        pg_side = _without_load_times(Table(tuple(d.name for d in cursor.description or ()),
                                            cursor.fetchall()))
    assert len(pg_side.rows) > 0
    assert differences(duck_side, pg_side) == []


def test_the_reader_reads_every_public_table_and_only_main(pg_demo_load: PostgresLoaded
                                                           ) -> None:
    for table in PUBLIC_TABLES:
        assert pg_demo_load.rows(f"select count(*) from main.{table}")[0][0] > 0, table  # noqa: S608
    visible = pg_demo_load.rows(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema <> all(?)", (SYSTEM_SCHEMAS,))
    assert {schema for schema, _ in visible} == {"main"}
    assert set(PUBLIC_TABLES) <= {name for _, name in visible}
    usable = {name for (name,) in pg_demo_load.rows(
        "select nspname from pg_namespace where has_schema_privilege(oid, 'USAGE')"
        " and nspname <> all(?) and nspname not like 'pg\\_temp\\_%'"
        " and nspname not like 'pg\\_toast\\_temp\\_%'", (SYSTEM_SCHEMAS,))}
    assert usable == {"main", "public"}  # public: PostgreSQL's own, empty, not writable
    # Nothing in main the reader may change, nor any grant it could pass on.
    assert pg_demo_load.rows(
        "select count(*) from information_schema.table_privileges"
        " where grantee = current_user and (privilege_type <> 'SELECT' or is_grantable = 'YES')"
    ) == [(0,)]


REFUSED = (
    "insert into main.dim_province (province_code) values ('99')",
    "update main.fct_enforcement set cases_resolved = 0",
    "delete from main.rpt_cluster_year",
    "delete from main.dq_issues",  # a view of tuphap_meta.dq_issues: updatable, not by readers
    "truncate main.fct_dissemination",
    "drop table main.fct_mediation",
    "drop view main.dq_issues",
    "drop schema main cascade",
    "alter table main.dim_unit add column note varchar",
    "create table main.mine (x integer)",
    "create view main.mine as select 1 as x",
    "create table public.mine (x integer)",
    "create function public.mine() returns integer language sql as 'select 1'",
    "create schema mine",
    "create table raw.mine (x integer)",
    "create table tuphap_meta.mine (x integer)",
    "create index on main.dim_province (province_name)",
    "comment on table main.dim_province is 'mine'",
)


def test_the_reader_cannot_write_drop_or_create(pg_demo_load: PostgresLoaded) -> None:
    with pg_demo_load.connect() as con:
        for statement in REFUSED:
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(statement)
            con.rollback()
        assert con.execute("select count(*) from main.rpt_cluster_year").fetchone()[0] == 8


def test_the_reader_cannot_read_the_lower_layers(pg_demo_load: PostgresLoaded) -> None:
    hidden = pg_demo_load.rows(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema <> all(?) and table_schema <> 'main' order by 1, 2",
        (SYSTEM_SCHEMAS,), as_loader=True)
    schemas = {schema for schema, _ in hidden}
    assert {"raw", "staging", "intermediate", "quality", "reference", "tuphap_meta"} <= schemas
    assert ("tuphap_meta", "received_file_contents") in hidden
    with pg_demo_load.connect() as con:
        for schema, name in hidden:
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(f'select * from "{schema}"."{name}" limit 1')  # noqa: S608
            con.rollback()


def test_issues_report_and_export_read_the_server(pg_demo_load: PostgresLoaded,
                                                  tmp_path: Path) -> None:
    env = pg_demo_load.env
    issues = tuphap(["issues", "--year", "2024"], env, timeout=120)
    assert issues.returncode == 0, issues.stderr
    assert "ENF-05" in issues.stdout and "THADS-14" in issues.stdout

    report = tuphap(["report", "--year", "2022", "--out", str(tmp_path / "report")], env,
                    timeout=300)
    assert report.returncode == 0, report.stderr
    html, pdf, _ = (Path(line) for line in report.stdout.splitlines())
    for text in (html_text(html), pdf_text(pdf)):
        for figure in PUBLISHED_2022:
            assert figure in text, figure
    # The second edition on the server: the open error of 2024 marked and unranked, and the
    # targets (fct_target_achievement, from the sample's decisions) found through the reader's
    # schema, and the reporting section from rpt_submissions.
    report = tuphap(["report", "--year", "2024", "--out", str(tmp_path / "report")], env,
                    timeout=300)
    assert report.returncode == 0, report.stderr
    text = html_text(Path(report.stdout.splitlines()[0]))
    assert "— Sơn La† 5.972 4.919† 4.956† 100,75%†" in text
    assert ("Biểu đồ 1. 7/7 đơn vị đạt chỉ tiêu tỷ lệ giải quyết xong về việc; tỷ lệ chung "
            "91,48%†") in text
    assert "Kho dữ liệu chưa lưu chỉ tiêu được giao" not in text
    assert "Kho dữ liệu chưa theo dõi hạn gửi báo cáo" not in text
    assert "Tình hình gửi báo cáo" in text and "đơn vị đã gửi đủ các biểu báo cáo" in text

    out = tmp_path / "fct_enforcement.xlsx"
    export = tuphap(["export", "fct_enforcement", "--format", "xlsx", "--out", str(out)], env,
                    timeout=120)
    assert export.returncode == 0, export.stderr
    assert openpyxl.load_workbook(out, read_only=True).sheetnames  # a workbook
    with pg_demo_load.connect() as raw:  # as an analyst reads the same table
        raw.execute("set search_path = main")
        assert_xlsx_matches(out, PostgresConnection(raw), "fct_enforcement")


def test_a_second_load_with_the_password_in_the_url_changes_nothing(
    pg_demo_load: PostgresLoaded, pg_second_load: SecondLoad
) -> None:
    done = pg_second_load.done
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing new in the inbox" in done.stdout
    assert f"Warehouse: {pg_demo_load.warehouse.url}\n" in done.stdout  # no password in it
    assert snapshot(pg_demo_load) == pg_second_load.before


def test_after_a_second_load_the_reader_reads_every_table_and_no_retired_schema(
    pg_demo_load: PostgresLoaded, pg_second_load: SecondLoad
) -> None:
    assert pg_second_load.done.returncode == 0
    # Nothing new: dbt did not run, the published models (`main`) stayed as they were and only
    # the raw layer was published anew (tests/orchestration/warehouse/test_postgres.py checks
    # the grants on a `main` published anew).
    assert main_schema_oid(pg_demo_load) == pg_second_load.main_oid_before
    assert pg_demo_load.rows(
        "select plan from tuphap_meta.builds where published_at is not null"
        " and plan is not null order by build_id desc limit 1", as_loader=True) == [("none",)]
    for table in PUBLIC_TABLES:
        assert pg_demo_load.rows(f"select count(*) from main.{table}")[0][0] > 0, table  # noqa: S608
    # The old schemas were dropped after the publish (no analyst held them): none is left to
    # see, nor a build schema.
    assert pg_demo_load.rows(
        "select nspname from pg_namespace where nspname like '%\\_\\_retired\\_%'"
        " or nspname like '%\\_\\_build'") == []
    published = pg_demo_load.rows(
        "select count(*) from tuphap_meta.builds where published_at is not null",
        as_loader=True)[0][0]
    assert published >= 2


def test_the_password_is_never_printed_logged_or_stored(
    pg_demo_load: PostgresLoaded, pg_second_load: SecondLoad
) -> None:
    password = pg_demo_load.warehouse.loader_password
    for done in (pg_demo_load.first, pg_second_load.done):  # PGPASSWORD, then the URL's
        assert password not in done.stdout and password not in done.stderr
    # Everything the loads wrote: the Dagster instance (runs, event log), this machine's
    # folder for the warehouse (load and dbt logs, dbt's artifacts, reports, archive), the
    # alert log. The local folder is under the test's base (TUPHAP_LOCAL_DIR honoured).
    local, home = pg_demo_load.local_dir, pg_demo_load.dagster_home
    assert local.is_relative_to(pg_demo_load.base) and home.is_relative_to(pg_demo_load.base)
    files = [path for path in pg_demo_load.base.rglob("*") if path.is_file()]
    assert (local / "logs" / "loads.log") in files and (local / "logs" / "dbt-warm.log") in files
    assert any(path.is_relative_to(home / "storage") for path in files)
    assert "=== tuphap load" in (local / "logs" / "loads.log").read_text(encoding="utf-8")
    secret = password.encode()
    assert [path for path in files if secret in path.read_bytes()] == []

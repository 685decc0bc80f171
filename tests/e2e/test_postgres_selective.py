"""A correction on PostgreSQL rebuilds only what it changes, and gives the warehouse a full
rebuild gives (orchestration/dbt/selection.py `views_rebuilt`, pgpublish.carry_forward_tables).

Real `tuphap load` processes into a database a DBA handed over: a year of the sample (a full
build), a corrected THADS_VIEC report (a partial build: the published tables carried forward
into the build schemas, the enforcement part and the shared models rebuilt, every view made
again), then the same warehouse rebuilt in full (its recorded build state forgotten). Every
relation dbt makes must be the same after the partial build as after the full one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.inputs import make_correction
from ingest.forms import FORM_COLUMNS
from ingest.sample import write_sample
from orchestration.warehouse.pgpublish import DBT_SCHEMAS
from tests.e2e.conftest import tuphap
from tests.e2e.postgres_load import postgres_env
from tests.postgres.warehouse import ServerWarehouse, create_server_warehouse
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres_selective")]


def _contents(warehouse: ServerWarehouse) -> dict[str, list[str]]:
    """Every row of every relation of the dbt schemas, ordered, as text (the issue history
    `main.dq_issues` is the quality step's, not dbt's)."""
    with warehouse.connect_as_loader() as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema = any(%s) and not (table_schema = 'main'"
            " and table_name = 'dq_issues') order by 1, 2", [list(DBT_SCHEMAS)]).fetchall()
        # Identifiers from the catalog, quoted: no user text in this SQL.
        return {f"{schema}.{name}": sorted(repr(row) for row in con.execute(
                    f'select * from "{schema}"."{name}"').fetchall())  # noqa: S608
                for schema, name in relations}


def _last_build(warehouse: ServerWarehouse) -> tuple[str, str]:
    with warehouse.connect_as_loader() as con:
        return con.execute("select plan, reason from tuphap_meta.builds where published_at"
                           " is not null order by build_id desc limit 1").fetchone()


def test_a_correction_rebuilds_only_its_part_and_equals_a_full_rebuild(
        postgres_server: PostgresServer, tmp_path: Path) -> None:
    warehouse = create_server_warehouse(postgres_server)
    try:
        env = postgres_env(tmp_path, warehouse)
        env["TUPHAP_YEARLY_REPORTS"] = "off"  # nothing here reads them
        inbox = Path(env["TUPHAP_INBOX"])
        write_sample(inbox, years=[2023])

        def load() -> None:
            done = tuphap(["load"], env)
            assert done.returncode == 0, done.stdout + done.stderr[-3000:]

        load()
        assert _last_build(warehouse)[0] == "full"
        make_correction(inbox, inbox, form="THADS_VIEC", indicator=FORM_COLUMNS["THADS_VIEC"][2])
        load()
        plan, reason = _last_build(warehouse)
        assert (plan, "THADS_VIEC" in reason) == ("partial", True), (plan, reason)
        partial = _contents(warehouse)
        # The parts left as they were are there, views included (made again).
        assert {"reference.ref_provinces", "staging.stg_raw__submissions",
                "main.fct_dissemination", "main.fct_enforcement"} <= set(partial)

        # The same raw rows, rebuilt in full: the state forgotten, the next load plans "full".
        with warehouse.connect_as_loader() as con:
            con.execute("update tuphap_meta.builds set inputs = null")
        load()
        assert _last_build(warehouse)[0] == "full"
        full = _contents(warehouse)
        assert set(partial) == set(full)
        different = [name for name in full if partial[name] != full[name]]
        assert not different, different
    finally:
        warehouse.drop()

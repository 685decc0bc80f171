"""A load rebuilds only what its new reports change, and the warehouse is exactly what a full
rebuild would give (orchestration/dbt/selection.py).

Real `tuphap load` processes on a year of the sample: a first load (full build), a corrected
STP report (partial: the enforcement part and the year spine stand), a corrected THADS_VIEC
report (partial: the dissemination and mediation parts stand), a targets decision replacing
the year's (partial: only the targets' part and the shared models), the next year's reports
(partial: the year spine is rebuilt), then a load with nothing new (no dbt at all). Every
table dbt makes is then compared with a full `dbt build` of a copy of the same warehouse: a
table left stale by a partial build would still be stale there (the later partial builds left
it alone too).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from benchmarks.inputs import make_correction
from ingest.forms import FORM_COLUMNS
from ingest.parse import parse_file
from ingest.sample import write_sample
from orchestration import settings
from orchestration.dbt.selection import FORM_TAGS
from tests.e2e.conftest import isolated_env, tuphap
from tests.ingest.builders import targets_grid, write_xlsx

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("selective_loads")]

# What dbt builds; not dq_issues (the issue history, kept by the quality step) nor meta.
DBT_SCHEMAS = ("main", "intermediate", "quality", "staging", "reference")
NOT_DBT = {("main", "dq_issues")}


def _plan(warehouse: Path) -> tuple[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select plan, reason from meta.dbt_build_state").fetchone()


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ? order by all", [list(DBT_SCHEMAS)]).fetchall()
        # Identifiers from the catalogue, quoted: no user text in this SQL.
        return {f"{schema}.{name}": con.execute(
                    f'select * from "{schema}"."{name}" order by all').fetchall()  # noqa: S608
                for schema, name in tables if (schema, name) not in NOT_DBT}


def _full_rebuild(warehouse: Path, work: Path, scope: str) -> Path:
    """A copy of `warehouse` rebuilt by a plain, complete `dbt build`."""
    copy = work / "full" / warehouse.name  # same file name: DuckDB's catalog name
    if copy.parent.exists():
        shutil.rmtree(copy.parent)
    copy.parent.mkdir(parents=True)
    shutil.copyfile(warehouse, copy)
    done = subprocess.run(
        [str(Path(settings.PROJECT_ROOT / ".venv" / "bin" / "dbt")), "build",
         "--exclude-resource-type", "unit_test", "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--profiles-dir", str(settings.DBT_PROJECT_DIR),
         "--target-path", str(work / "full-target"), "--log-path", str(work / "full-target")],
        env={**isolated_env(work), "TUPHAP_DBT_DB_PATH": str(copy), "TUPHAP_SCOPE": scope},
        cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    return copy


FACTS = {"dissemination": "fct_dissemination", "mediation": "fct_mediation",
         "enforcement": "fct_enforcement"}


def _rebuilt(dagster_home: Path, asset: str) -> bool:
    """Did the last load rebuild `asset` (dbt's materialization) or leave it as it was?"""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    assert event is not None and event.asset_materialization is not None
    rebuilt = event.asset_materialization.metadata.get("rebuilt")
    return rebuilt is None or bool(rebuilt.value)


def _load(env: dict[str, str]) -> None:
    done = tuphap(["load"], env)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    # TUPHAP_YEARLY_REPORTS=off (isolated_env): the load says so and leaves no report behind.
    assert "yearly reports: not made after loads (TUPHAP_YEARLY_REPORTS=off)" in done.stdout
    assert "in the background" not in done.stdout


def test_each_load_rebuilds_only_what_changed_and_equals_a_full_rebuild(
    tmp_path: Path,
) -> None:
    env = isolated_env(tmp_path)
    inbox, warehouse = Path(env["TUPHAP_INBOX"]), Path(env["TUPHAP_WAREHOUSE"])
    write_sample(inbox, years=[2023])
    _load(env)
    assert _plan(warehouse) == ("full", "no earlier build recorded in this warehouse")

    home = Path(env["DAGSTER_HOME"])
    for form in ("PBGDPL", "THADS_VIEC"):
        correction = make_correction(inbox, inbox, form=form, indicator=FORM_COLUMNS[form][2])
        # A unit re-sends its whole report: every form the file carries counts as changed.
        touched = {FORM_TAGS[s.form] for s in parse_file(correction.path).submissions}
        _load(env)
        kind, reason = _plan(warehouse)
        assert (kind, form in reason) == ("partial", True), (kind, reason)
        # The other forms' tables were left as they were, and the run says so.
        assert {part: _rebuilt(home, fact) for part, fact in FACTS.items()} == {
            part: part in touched for part in FACTS}, touched
        assert touched != set(FACTS)  # something was left as it was
        assert not _rebuilt(home, "dim_reporting_period")  # the same years: the spine stands

    # A decision replacing 2023's targets: only the targets' part is rebuilt (and the shared
    # models, the fact among them); the forms' parts stand.
    write_xlsx(inbox / "2023_chi-tieu_dieu-chinh.xlsx", {"CHITIEU": targets_grid(
        [("THADS", "case_resolution_rate", "trên", "90"),
         ("THADS", "money_resolution_rate", "từ", "45")],
        year=2023, decision_number="900/QĐ-TCTHADS", decision_date="01/06/2023")})
    _load(env)
    kind, reason = _plan(warehouse)
    assert (kind, "CHITIEU" in reason) == ("partial", True), (kind, reason)
    assert _rebuilt(home, "int_unit_targets") and _rebuilt(home, "fct_target_achievement")
    assert not any(_rebuilt(home, fact) for fact in FACTS.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select distinct decision_number from fct_target_achievement"
                           " where unit_type = 'THADS'").fetchall() == [("900/QĐ-TCTHADS",)]

    write_sample(inbox, years=[2024])  # a new reporting year
    _load(env)
    assert _plan(warehouse)[0] == "partial"
    assert _rebuilt(home, "dim_reporting_period") and _rebuilt(home, "int_province_years")

    after_corrections = _contents(warehouse)
    assert after_corrections == _contents(_full_rebuild(warehouse, tmp_path, "cluster"))

    _load(env)  # nothing new in the inbox
    assert _plan(warehouse) == ("none", "nothing changed since the last build")
    assert _contents(warehouse) == after_corrections

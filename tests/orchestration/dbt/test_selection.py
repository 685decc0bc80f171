"""What a load rebuilds with dbt (orchestration/dbt/selection.py): the plan as a pure function,
the fingerprint of the project, and the build state kept in a real DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.dbt.selection import (
    BuildInputs,
    BuildPlan,
    plan_build,
    project_fingerprint,
    read_inputs,
    read_previous,
    record,
    views_rebuilt,
)
from orchestration.ingest.raw_schema import ensure_raw_schema
from orchestration.warehouse.engine import engine_for

FORMS = {"PBGDPL": "a", "HOAGIAI": "b", "THADS_VIEC": "c", "THADS_TIEN": "d", "CHITIEU": "e"}
LAST = BuildInputs("project-1", "cluster", FORMS, "files-1", "2022,2023")


def _with(**changes: object) -> BuildInputs:
    values = {"fingerprint": LAST.fingerprint, "scope": LAST.scope, "forms": dict(LAST.forms),
              "files": LAST.files, "years": LAST.years, **changes}
    return BuildInputs(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("previous", "current", "kind", "reason"), [
    (None, LAST, "full", "no earlier build"),
    (LAST, _with(fingerprint="project-2"), "full", "dbt project or dbt changed"),
    (LAST, _with(scope="national"), "full", "scope changed"),
    (LAST, LAST, "none", "nothing changed"),
    (LAST, _with(forms={**FORMS, "PBGDPL": "a2"}), "partial", "PBGDPL"),
    (LAST, _with(forms={**FORMS, "CHITIEU": "e2"}), "partial", "CHITIEU"),
    (LAST, _with(files="files-2"), "partial", "received files only"),
    (LAST, _with(forms={**FORMS, "NEW_FORM": "x"}), "full", "unknown form"),
])
def test_the_plan_follows_what_changed(previous: BuildInputs | None, current: BuildInputs,
                                       kind: str, reason: str) -> None:
    plan = plan_build(previous, current)
    assert plan.kind == kind
    assert reason in plan.reason


def test_a_full_refresh_rebuilds_everything_whatever_changed() -> None:
    assert plan_build(LAST, LAST, full_refresh=True).kind == "full"


def test_a_partial_build_leaves_reference_and_unchanged_forms_as_they_are() -> None:
    plan = plan_build(LAST, _with(forms={**FORMS, "THADS_TIEN": "d2"}))
    assert plan.dbt_args == [
        "--indirect-selection", "cautious", "--exclude",
        "tag:reference,resource_type:seed tag:reference,resource_type:model"
        " tag:dissemination,resource_type:model tag:mediation,resource_type:model"
        " tag:targets,resource_type:model tag:years,resource_type:model"]
    # A form that disappeared (all its submissions replaced) counts as changed too.
    gone = plan_build(LAST, _with(forms={k: v for k, v in FORMS.items() if k != "HOAGIAI"}))
    assert "tag:mediation,resource_type:model" not in gone.exclude
    # Only rejected files or new receipts: every form's own part stands.
    files_only = plan_build(LAST, _with(files="files-2"))
    assert {f"tag:{t},resource_type:model" for t in ("dissemination", "mediation",
                                                     "enforcement")} <= set(files_only.exclude)
    assert BuildPlan("full", "x").dbt_args == [] and BuildPlan("none", "x").dbt_args == []


def test_a_build_without_the_published_views_makes_every_view_again() -> None:
    """PostgreSQL's build carries only tables forward: the models left as they are are the
    excluded tables; seeds stay excluded (they are tables)."""
    plan = views_rebuilt(plan_build(LAST, _with(forms={**FORMS, "THADS_TIEN": "d2"})))
    assert plan.kind == "partial"
    assert plan.exclude == (
        "tag:reference,resource_type:seed",
        "tag:reference,resource_type:model,config.materialized:table",
        "tag:dissemination,resource_type:model,config.materialized:table",
        "tag:mediation,resource_type:model,config.materialized:table",
        "tag:targets,resource_type:model,config.materialized:table",
        "tag:years,resource_type:model,config.materialized:table")


def test_the_year_spine_is_rebuilt_only_when_a_year_appears_or_goes() -> None:
    spine, targets = "tag:years,resource_type:model", "tag:targets,resource_type:model"
    correction = _with(forms={**FORMS, "PBGDPL": "a2"})
    assert {spine, targets} <= set(plan_build(LAST, correction).exclude)
    new_year = _with(forms={**FORMS, "PBGDPL": "a2"}, years="2022,2023,2024")
    # the targets' models read the units in scope each year: rebuilt with the spine
    assert not {spine, targets} & set(plan_build(LAST, new_year).exclude)
    new_decision = plan_build(LAST, _with(forms={**FORMS, "CHITIEU": "e2"}))
    assert targets not in new_decision.exclude and spine in new_decision.exclude
    # A state recorded before years were: the spine is rebuilt once.
    legacy = BuildInputs.from_json(LAST.as_json().replace('"years": "2022,2023"', '"x": 0'))
    assert legacy.years == "" and spine not in plan_build(legacy, correction).exclude


def test_inputs_survive_their_round_trip_through_the_warehouse() -> None:
    assert BuildInputs.from_json(LAST.as_json()) == LAST


def test_the_fingerprint_changes_with_any_file_of_the_project(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    first = project_fingerprint(project)
    assert project_fingerprint(project) == first
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")  # build output: not the project
    assert project_fingerprint(project) == first
    model = next((project / "models" / "marts").glob("*.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    assert project_fingerprint(project) != first
    seed = next((project / "seeds").glob("*.csv"))
    seed.write_text(seed.read_text())
    before_seed_change = project_fingerprint(project)
    seed.write_text(seed.read_text() + "\n")
    assert project_fingerprint(project) != before_seed_change


def _submission(con: duckdb.DuckDBPyConnection, sid: str, form: str, loaded_at: str) -> None:
    con.execute(
        "insert into raw.submissions (submission_id, sha256, source_file, unit_code,"
        " province_code, year, form, received_at, loaded_at) values"
        " (?, 'sha', 'f.xlsx', 'STP-10', '10', 2022, ?, now(), cast(? as timestamptz))",
        [sid, form, loaded_at])


def test_signatures_and_the_recorded_state_in_a_real_warehouse(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "w.duckdb")
    with engine.load_lock():
        build = engine.start_build()
        with build.connect() as con:
            ensure_raw_schema(con)
            assert read_previous(build) is None
            _submission(con, "s1", "PBGDPL", "2026-11-01 10:00:00+00")
            _submission(con, "s2", "HOAGIAI", "2026-11-01 10:00:00+00")
            first = read_inputs(con, fingerprint="p", scope="cluster")
            assert set(first.forms) == {"PBGDPL", "HOAGIAI"}  # no targets decision yet
            con.execute("insert into raw.target_decisions (decision_id, sha256, source_file,"
                        " decision_number, year, received_at, loaded_at) values ('d1', 'sha2',"
                        " 'qd.xlsx', '1/QĐ', 2022, now(), cast('2026-11-01 10:00:00+00' as"
                        " timestamptz))")
            first = read_inputs(con, fingerprint="p", scope="cluster")
            assert set(first.forms) == {"PBGDPL", "HOAGIAI", "CHITIEU"}
            assert first.years == "2022"
            record(build, first, BuildPlan("full", "first"))
            assert read_previous(build) == first
            # A re-parsed submission (same id, loaded again) changes its form's signature only.
            con.execute("update raw.submissions set loaded_at = loaded_at + interval 1 day"
                        " where submission_id = 's1'")
            second = read_inputs(con, fingerprint="p", scope="cluster")
            assert second.forms["PBGDPL"] != first.forms["PBGDPL"]
            assert second.forms["HOAGIAI"] == first.forms["HOAGIAI"]
            assert plan_build(read_previous(build), second).kind == "partial"
            record(build, second, BuildPlan("partial", "PBGDPL"))
            assert read_previous(build) == second
            assert con.execute("select plan, reason from meta.dbt_build_state").fetchall() == [
                ("partial", "PBGDPL")]
        build.discard()


def test_models_left_as_they_were_are_reported_in_dependency_order() -> None:
    from orchestration.dbt.selection import ancestors_in_order, in_dependency_order

    # raw -> totals -> fct_m (left) -> rpt (rebuilt); totals -> enf09 (left) -> violations
    deps = {"totals": {"raw"}, "fct_m": {"totals"}, "cb_m": {"fct_m"},
            "rpt": {"fct_m", "totals"}, "enf09": {"totals"}, "violations": {"enf09"}}
    left = {"fct_m", "cb_m", "enf09"}
    assert in_dependency_order(left, deps).index("fct_m") < in_dependency_order(
        left, deps).index("cb_m")
    assert ancestors_in_order("rpt", deps, left) == ["fct_m"]
    assert ancestors_in_order("violations", deps, left) == ["enf09"]
    assert ancestors_in_order("totals", deps, left) == []
    assert in_dependency_order([], deps) == []

"""`tuphap load` end to end: real files, a real Dagster run, a real DuckDB warehouse (and the
same load on PostgreSQL where a test takes `published`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import ROOT, Loaded, Published, tuphap

# One worker owns the shared demo load (pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e")

PUBLIC_TABLES = [
    "fct_dissemination", "fct_mediation", "fct_enforcement", "dim_province", "dim_unit",
    "rpt_cluster_year", "rejected_reports", "dq_issues", "fct_target_achievement",
    "rpt_submissions",
]


# Bookkeeping that a load is expected to advance: when an open issue was last seen.
LOAD_CLOCK_COLUMNS = {"main.dq_issues": "last_seen_at"}


def _snapshot(warehouse: Path) -> dict[str, list[str]]:
    """Every row of the raw and public tables, ordered, to compare two loads."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [f"main.{t}" for t in PUBLIC_TABLES] + [
            "raw.received_files", "raw.file_receipts", "raw.submissions", "raw.submission_values",
            "raw.target_decisions", "raw.target_values"
        ]
        snapshot = {}
        for table in tables:
            exclude = LOAD_CLOCK_COLUMNS.get(table)
            columns = f"* exclude ({exclude})" if exclude else "*"
            rows = con.execute(f"select {columns} from {table}").fetchall()  # noqa: S608 - ours
            snapshot[table] = sorted(map(repr, rows))
        return snapshot
    finally:
        con.close()


def test_load_prints_the_summary_and_publishes(published: Published) -> None:
    out = published.first.stdout
    assert "files rejected" in out and "Rejected files" in out
    assert published.address in out
    assert "THADS-15" in out and "STP-02" in out  # coverage grid per unit and year
    reports = published.reports
    # Made after the load returned, in the background (the fixture waited for them).
    assert ("yearly reports of this load (2018-2025; HTML, PDF and workbook): being written "
            f"to {reports}\n") in out
    assert sorted(p.name for p in reports.glob("*.pdf")) == [
        f"so-lieu-tu-phap-{year}-khu-vuc.pdf" for year in range(2018, 2026)]
    if published.engine == "duckdb":
        assert Path(published.address).exists()
    for table in PUBLIC_TABLES:
        assert published.rows(f"select count(*) from main.{table}")[0][0] >= 0  # noqa: S608
    assert published.rows("select count(*) from main.rejected_reports")[0][0] >= 4


def test_dbt_ran_in_the_warm_process_on_its_parse(demo_load: Loaded) -> None:
    """The load started dbt early and built on that parse (orchestration/runtime/warm_dbt.py); a
    silent fall back to a plain dbt would still load, only slower."""
    log = (demo_load.warehouse.parent / "logs" / "dbt-warm.log").read_text()
    assert "warm parse done" in log
    assert "`dbt build " in log and "on the warm parse" in log
    con = duckdb.connect(str(demo_load.warehouse), read_only=True)
    try:
        plan = con.execute("select plan, reason from meta.dbt_build_state").fetchone()
    finally:
        con.close()
    assert plan == ("full", "no earlier build recorded in this warehouse")


def _in_instance(demo_load: Loaded, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python `code` where the demo load's Dagster instance is DagsterInstance.get()."""
    return subprocess.run([sys.executable, "-c", code], env=demo_load.env, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_the_loads_helpers_were_forked_by_the_preload_server(demo_load: Loaded) -> None:
    """The suite's preload server (tests/conftest.py, as `make serve` runs one for the
    service) forked the load's Great Expectations worker and its warm dbt process, and the
    run's log says so; a silent fall back to spawned ones would still load, only slower."""
    code = (
        "import dagster as dg\n"
        "with dg.DagsterInstance.get() as i:\n"
        "    run = [r for r in i.get_runs() if r.job_name == 'load_warehouse'][-1]\n"
        "    for event in i.all_logs(run.run_id):\n"
        "        print(event.user_message.replace(chr(10), ' '))\n"
    )
    done = _in_instance(demo_load, code)
    for helper in ("row rules' Great Expectations worker: ", "dbt's warm process: "):
        said = [line for line in done.stdout.splitlines() if line.startswith(helper)]
        assert len(said) == 1, done.stdout[-3000:] + done.stderr[-3000:]
        assert said[0].endswith(")") and "forked by the preload server (pid " in said[0], said


def test_every_received_file_is_archived_by_content(demo_load: Loaded) -> None:
    con = duckdb.connect(str(demo_load.warehouse), read_only=True)
    try:
        rows = con.execute("select sha256, archive_path from raw.received_files").fetchall()
    finally:
        con.close()
    inbox_files = [p for p in demo_load.inbox.rglob("*") if p.is_file()]
    assert len(rows) == len(inbox_files)
    for sha, path in rows:
        assert Path(path).exists() and Path(path).name == sha


def test_a_second_load_of_the_same_inbox_changes_nothing(demo_load: Loaded) -> None:
    before = _snapshot(demo_load.warehouse)
    second = tuphap(["load"], demo_load.env)
    assert second.returncode == 0, second.stderr
    assert "nothing new in the inbox" in second.stdout
    assert _snapshot(demo_load.warehouse) == before


def test_the_cli_run_is_recorded_in_the_dagster_instance(demo_load: Loaded) -> None:
    code = (
        "import dagster as dg\n"
        "with dg.DagsterInstance.get() as i:\n"
        "    runs = i.get_runs()\n"
        "    print(len(runs), runs[-1].status.value, runs[-1].tags.get('tuphap/trigger'),"
        " runs[-1].job_name)\n"
    )
    done = _in_instance(demo_load, code)
    count, status, trigger, job = done.stdout.split()
    assert int(count) >= 1 and status == "SUCCESS" and trigger == "cli"
    assert job == "load_warehouse"


def test_dagster_definitions_validate_from_the_root(demo_load: Loaded) -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "dagster"), "definitions",
                           "validate"], cwd=ROOT, env=demo_load.env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_definitions_hold_partitioned_assets_a_schedule_and_a_sensor() -> None:
    import dagster as dg

    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for table in ("received_files", "file_receipts", "submissions", "submission_values"):
        raw = graph.get(dg.AssetKey(["raw", table]))
        assert raw.partitions_def is not None
        assert "2022" in raw.partitions_def.get_partition_keys()
    assert graph.get(dg.AssetKey("fct_enforcement")).partitions_def is None
    assert defs.resolve_schedule_def("yearly_load_schedule")
    assert defs.resolve_sensor_def("inbox_sensor")


def test_load_fails_with_a_message_when_another_load_holds_the_warehouse(
    demo_load: Loaded,
) -> None:
    from orchestration.warehouse.duckdb import load_lock

    with load_lock(demo_load.warehouse):
        busy = tuphap(["load"], demo_load.env)
    assert busy.returncode != 0
    assert busy.stderr.strip().splitlines()[-1].startswith("tuphap load failed: ")
    assert "another load is running" in busy.stderr
    assert "Stack Trace" not in busy.stderr  # the default console shows the summary only


def test_every_unloadable_kind_is_rejected_with_file_and_place_and_the_rest_loads(
    published: Published, tmp_path: Path
) -> None:
    from tests.ingest.builders import write_unloadable_files

    expected = {f"unloadable/{path.name}": code
                for code, path in write_unloadable_files(tmp_path).items()}
    rows = published.rows("select source_file, reason_code, reason from main.rejected_reports"
                          " where source_file like 'unloadable/%'")
    loaded = published.rows("select count(*) from raw.submissions", lower_layers=True)[0][0]
    assert {name: code for name, code, _ in rows} == expected
    for name, code, reason in rows:
        assert reason.startswith(f'Tệp "{name}"'), reason
        if code in {"not_a_number", "negative", "fractional", "unknown_column"}:
            assert "ô " in reason or "dòng " in reason, reason  # names the cell or line
    assert loaded > 200  # the good files of the same load
    assert published.first.returncode == 0

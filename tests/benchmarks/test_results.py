"""results.json has the documented shape, and the printed table reads it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import inputs
from benchmarks.measure import measure_command
from benchmarks.report import format_table
from benchmarks.results import Measurement, results_document, write_results
from benchmarks.scenarios import measure_floor
from ingest.vn_format import format_number


def test_results_json_has_the_documented_shape(inbox: Path, tmp_path: Path) -> None:
    floor_m, result = measure_floor(inbox, 1)
    assert result is not None and floor_m.median is not None
    assert floor_m.info["parse_seconds_median"] is not None
    load = Measurement("a_national_load", "(a) national load", 60.0, 1024 * 1024,
                       info={"files": 35})
    run = measure_command([sys.executable, "-c", "import time; time.sleep(0.3)"], timeout=60)
    load.runs.append({**run.as_json(), "ok": run.ok})
    doc = results_document({"cpu_model": "x"}, {"runs": 1}, [load, floor_m],
                           inputs_used={"national": inputs.inputs_info(inbox)},
                           floor_check={"checked": True, "equal": True})
    path = write_results(doc, tmp_path / "results.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert set(saved) >= {"machine", "settings", "inputs", "measurements",
                          "ratio_load_to_floor", "floor_matches_warehouse", "scaling", "pass"}
    assert saved["inputs"]["national"]["files"] == 37  # 35 reports, 2 targets decisions
    a, b = saved["measurements"]["a_national_load"], saved["measurements"]["b_floor"]
    for entry in (a, b):
        assert set(entry) >= {"title", "runs_seconds", "median_seconds", "min_seconds",
                              "max_seconds", "peak_memory_kib", "runs", "targets", "checks",
                              "pass", "errors"}
        assert len(entry["runs_seconds"]) == 1
        assert entry["min_seconds"] <= entry["median_seconds"] <= entry["max_seconds"]
    assert a["targets"] == {"seconds": 60.0, "memory_kib": 1024 * 1024, "floor_ratio": 8.0,
                            "published_floor_ratio": 6.0}
    assert [c["name"] for c in a["checks"]] == ["median_seconds", "peak_memory_kib",
                                                "floor_ratio", "published_floor_ratio"]
    # This run has no publish (a plain sleep): that check fails, and says it had no value.
    published = a["checks"][-1]
    assert published["value"] is None and not published["pass"] and not a["pass"]
    assert a["runs"][0]["exit_code"] == 0 and a["runs"][0]["tree_peak_kib"] > 0
    assert saved["ratio_load_to_floor"] == pytest.approx(
        a["median_seconds"] / b["median_seconds"], rel=0.01, abs=0.01)
    assert b["breakdown_median"].keys() == {"workbooks_seconds", "csv_seconds",
                                            "handover_seconds"}
    assert b["fact_rows"] == {"fct_dissemination": 14, "fct_mediation": 14,
                              "fct_enforcement": 14}
    table = format_table(saved)
    assert "(a) national load" in table and "floor breakdown" in table
    saved["measurements"]["a4_national4_load"] = {**a, "title": "(a4) 4× national load"}
    cold = next(line for line in format_table(saved).splitlines()
                if line.startswith("first run at its location"))
    assert "(a) " in cold and "(a4) " in cold


def _timed(key: str, title: str, seconds: float, **fields: float) -> Measurement:
    measurement = Measurement(key, title, None, 1024 * 1024)
    measurement.runs.append({"seconds": seconds, "ok": True, "tree_peak_kib": 1,
                             "exit_code": 0, **fields})
    return measurement


def _line(entry: dict, key: str, verdict: bool) -> str:
    table = format_table({"measurements": {key: entry}, "pass": verdict, "scaling": None})
    return next(line for line in table.splitlines() if line.startswith(entry["title"][:3]))


def test_the_postgresql_loads_are_checked_against_the_duckdb_loads_of_the_same_run() -> None:
    a = _timed("a_national_load", "(a) national load", 40.0)
    c = _timed("c_correction_load", "(c) national inbox + 1 corrected report", 10.0)
    for seconds, verdict in ((47.0, True), (49.0, False)):
        e = _timed("e_postgres_national_load", "(e) national load on PostgreSQL", seconds)
        entry = results_document({}, {}, [a, e], inputs_used={})["measurements"][e.key]
        assert entry["targets"]["duckdb_ratio"] == 1.2
        assert entry["duckdb_ratio_value"] == round(seconds / 40.0, 3)
        assert entry["pass"] is verdict
        line = _line(entry, e.key, verdict)
        assert "≤ 1,2× DuckDB (a)" in line and ("PASS" if verdict else "FAIL (× DuckDB)") in line
    for seconds, verdict in ((15.0, True), (15.5, False)):
        c_pg = _timed("c_postgres_correction_load", "(c) on PostgreSQL: + 1 corrected report",
                      seconds)
        entry = results_document({}, {}, [c, c_pg], inputs_used={})["measurements"][c_pg.key]
        assert entry["targets"]["duckdb_ratio"] == 1.5 and entry["pass"] is verdict
        line = _line(entry, c_pg.key, verdict)
        assert "≤ 1,5× DuckDB (c)" in line and ("PASS" if verdict else "FAIL (× DuckDB)") in line


def test_the_national_load_is_checked_returning_published_and_its_reports_ready() -> None:
    """Issue 25's targets of (a): returning ≤ 8× the floor, published ≤ 6×, the reports of its
    years ≤ 15 s after the publish, the largest process ≤ 0,6 GiB."""
    floor = _timed("b_floor", "(b) floor", 3.0)
    for returned, published, reports, rss, failed in (
            (24.0, 18.0, 15.0, 600 * 1024, []),
            (24.1, 18.1, 15.1, 700 * 1024, ["largest_process_kib",
                                            "reports_ready_seconds_after_publish",
                                            "floor_ratio", "published_floor_ratio"])):
        a = Measurement("a_national_load", "(a) national load", 60.0, 2 * 1024 * 1024,
                        int(0.6 * 1024 * 1024), 15.0)
        a.runs.append({"seconds": returned, "ok": True, "exit_code": 0, "tree_peak_kib": rss,
                       "ru_maxrss_kib": rss, "published_seconds": published,
                       "reports_ready_seconds_after_publish": reports})
        doc = results_document({}, {}, [a, floor], inputs_used={})
        entry = doc["measurements"]["a_national_load"]
        assert [check["name"] for check in entry["checks"] if not check["pass"]] == failed
        assert entry["published_floor_ratio_value"] == round(published / 3.0, 3)
        table = format_table(doc)
        assert "published ≤ 6×" in table and "reports ≤ 15 s after" in table
        assert f"its yearly reports ready {format_number(reports, 2)} s after" in table


def test_a_milestone_missing_from_one_run_fails_its_check() -> None:
    """Three runs, one without its reports (they failed): the median is not taken over the
    other two, so the check has no value and fails."""
    a = Measurement("a_national_load", "(a) national load", None, None, None, 15.0)
    for reports in (5.0, None, 6.0):
        a.runs.append({"seconds": 20.0, "ok": True, "published_seconds": 19.0,
                       **({} if reports is None else
                          {"reports_ready_seconds_after_publish": reports})})
    check = next(c for c in a.checks() if c["name"] == "reports_ready_seconds_after_publish")
    assert check == {"name": "reports_ready_seconds_after_publish", "value": None,
                     "target": 15.0, "pass": False}
    a.runs[1] = {**a.runs[1], "ok": False}  # a failed run is left out, as for its time
    assert a.median_of("reports_ready_seconds_after_publish") == 5.5

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
    assert a["targets"] == {"seconds": 60.0, "memory_kib": 1024 * 1024, "floor_ratio": 10.0}
    assert [c["name"] for c in a["checks"]] == ["median_seconds", "peak_memory_kib",
                                                "load_to_floor_ratio"]
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


def test_the_postgresql_load_is_checked_against_the_duckdb_load_of_the_same_run() -> None:
    def timed(key: str, title: str, seconds: float) -> Measurement:
        measurement = Measurement(key, title, None, 1024 * 1024)
        measurement.runs.append({"seconds": seconds, "ok": True, "tree_peak_kib": 1,
                                 "exit_code": 0})
        return measurement

    a = timed("a_national_load", "(a) national load", 40.0)
    for seconds, verdict in ((59.0, True), (61.0, False)):
        e = timed("e_postgres_national_load", "(e) national load on PostgreSQL", seconds)
        entry = results_document({}, {}, [a, e], inputs_used={})["measurements"][e.key]
        assert entry["targets"]["duckdb_ratio"] == 1.5
        assert entry["ratio_to_duckdb_national"] == round(seconds / 40.0, 2)
        assert entry["pass"] is verdict
        line = next(line for line in format_table(
            {"measurements": {e.key: entry}, "pass": verdict, "scaling": None}).splitlines()
            if line.startswith("(e)"))
        assert "≤ 1,5× (a)" in line and ("PASS" if verdict else "FAIL (× (a))") in line

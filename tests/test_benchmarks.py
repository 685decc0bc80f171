"""Smoke test of the benchmark harness (benchmarks/) on a tiny input: two years of the cluster.

No timing assertions (performance targets are checked by `make bench`, never by tests). What is
checked: the floor computes the warehouse's facts (the published 2022 totals, and every unit
total as the real parser reads it, with the newest report winning and sub-units summed where a
report has no total row); the 4× copies and the corrected report behave as the benchmark needs;
the process measurement sees memory in grandchildren and stops a process that overruns; and
results.json has the documented shape.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks import inputs
from benchmarks.floor import FACT_COLUMNS, compare_facts, report_files, run_floor
from benchmarks.run import (
    Measurement,
    format_table,
    measure_command,
    measure_floor,
    results_document,
    write_results,
)
from ingest.parse import parse_file
from ingest.reference import load_registry
from ingest.sample import PUBLISHED_2022, write_sample

YEARS = [2022, 2023]
FACT_OF_FORM = {"PBGDPL": ("fct_dissemination", ""), "HOAGIAI": ("fct_mediation", ""),
                "THADS_VIEC": ("fct_enforcement", "cases_"),
                "THADS_TIEN": ("fct_enforcement", "money_")}
REPORTED_RATE = {"HOAGIAI": "reported_success_rate",
                 "THADS_VIEC": "reported_case_resolution_rate",
                 "THADS_TIEN": "reported_money_resolution_rate"}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster")
    write_sample(out, years=YEARS, include_flawed=False)
    return out


@pytest.fixture(scope="module")
def floor(inbox: Path):  # noqa: ANN201
    return run_floor(inbox)


def _rows(facts: dict, table: str) -> dict[tuple[str, int], dict]:
    return {(r["province_code"], r["year"]): r for r in facts[table]}


def _expected_facts(inbox: Path) -> dict[tuple[str, tuple[str, int]], dict[str, float]]:
    """Unit totals from the real parser, with report-format.md's rules applied here:
    the latest report date wins; the total row, else the sum of sub-unit rows."""
    registry = load_registry()
    winners: dict[tuple[str, int, str], object] = {}
    for path in report_files(inbox):
        result = parse_file(path, registry=registry, scope="cluster")
        assert result.rejection is None, result.rejection
        for sub in result.submissions:
            key = (sub.unit_code, sub.year, sub.form)
            best = winners.get(key)
            if best is None or sub.report_date > best.report_date:  # all dated here, or single
                winners[key] = sub
    expected: dict[tuple[str, tuple[str, int]], dict[str, float]] = defaultdict(dict)
    for (_, year, form), sub in winners.items():
        table, prefix = FACT_OF_FORM[form]
        by_indicator: dict[str, list] = defaultdict(list)
        for value in sub.values:
            by_indicator[value.indicator].append(value)
        for indicator, values in by_indicator.items():
            totals = [v.value for v in values if v.subunit is None]
            if indicator.endswith("_rate"):
                if totals:
                    expected[table, (sub.province_code, year)][REPORTED_RATE[form]] = totals[0]
                continue
            value = totals[0] if totals else sum(v.value for v in values)
            expected[table, (sub.province_code, year)][prefix + indicator] = value
    return expected


def test_floor_reproduces_the_published_2022_totals(floor) -> None:  # noqa: ANN001
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for (form, indicator) in PUBLISHED_2022:
        table, prefix = FACT_OF_FORM[form]
        for row in floor.facts[table]:
            if row["year"] == 2022:
                sums[form, indicator] += row[prefix + indicator]
    assert dict(sums) == {k: float(v) for k, v in PUBLISHED_2022.items()}
    assert sums["PBGDPL", "sessions"] == 27430
    mediation = [r for r in floor.facts["fct_mediation"] if r["year"] == 2022]
    received = sum(r["cases_received"] for r in mediation)
    successful = sum(r["cases_successful"] for r in mediation)
    assert round(100 * successful / received, 2) == 84.82


def test_floor_facts_equal_the_warehouse_semantics(inbox: Path, floor) -> None:  # noqa: ANN001
    assert floor.files == len(report_files(inbox)) == 35
    assert floor.csv_files == 4 and floor.workbook_files == 31
    expected = _expected_facts(inbox)
    # 7 provinces x 2 years, each fact table
    for table in FACT_COLUMNS:
        assert len(floor.facts[table]) == 14
        assert list(floor.facts[table][0]) == list(FACT_COLUMNS[table])
    checked = 0
    for (table, key), columns in expected.items():
        row = _rows(floor.facts, table)[key]
        for column, value in columns.items():
            assert row[column] == pytest.approx(value), (table, key, column)
            checked += 1
    assert checked > 14 * 3 * 5
    # Lai Châu 2023: the official report (15/01/2024) replaces the preliminary one.
    official = parse_file(inbox / "2023_STP-12_chinh-thuc.xlsx", scope="cluster")
    preliminary = parse_file(inbox / "2023_STP-12_so-bo.xlsx", scope="cluster")

    def sessions(result) -> float:  # noqa: ANN001
        sub = next(s for s in result.submissions if s.form == "PBGDPL")
        return next(v.value for v in sub.values if v.subunit is None
                    and v.indicator == "sessions")

    assert sessions(official) != sessions(preliminary)
    assert _rows(floor.facts, "fct_dissemination")["12", 2023]["sessions"] == sessions(official)
    # Lào Cai's STP report has no total row: the unit total is the sum of its districts.
    lao_cai = parse_file(inbox / "2022_STP-10_Lao-Cai.xlsx", scope="cluster")
    sub = next(s for s in lao_cai.submissions if s.form == "PBGDPL")
    assert not sub.has_total_row
    assert _rows(floor.facts, "fct_dissemination")["10", 2022]["sessions"] == sum(
        v.value for v in sub.values if v.indicator == "sessions")
    # computed rates come from the counts, unrounded
    row = _rows(floor.facts, "fct_enforcement")["14", 2022]
    assert row["case_resolution_rate"] == pytest.approx(
        100 * row["cases_resolved"] / row["cases_eligible"])


def test_a_corrected_report_wins(inbox: Path, floor, tmp_path: Path) -> None:  # noqa: ANN001
    correction = inputs.make_correction(inbox, tmp_path / "correction")
    assert correction.new_total == correction.old_total + 1
    assert correction.new_report_date > correction.old_report_date
    corrected_inbox = inputs.link_inbox(inbox, tmp_path / "inbox")
    shutil.copy2(correction.path, corrected_inbox / correction.path.name)
    after = run_floor(corrected_inbox)
    key = (correction.province_code, correction.year)
    assert _rows(floor.facts, "fct_dissemination")[key]["sessions"] == correction.old_total
    assert _rows(after.facts, "fct_dissemination")[key]["sessions"] == correction.new_total
    differences = compare_facts(floor.facts, after.facts, limit=0)
    assert differences == [f"fct_dissemination {key[0]}/{key[1]} sessions: "
                           f"{correction.old_total!r} != {correction.new_total!r}"]


def test_copies_have_other_bytes_but_the_same_figures(inbox: Path, floor,  # noqa: ANN001
                                                      tmp_path: Path) -> None:
    # one CSV of each dialect (";" Windows-1258 CRLF, "," UTF-8 with BOM) and two workbooks
    names = ["2022_STP-04_Cao-Bang.csv", "2022_THADS-10_xuat-du-lieu.csv",
             "2022_STP-02_Ha-Giang.xlsx", "2022_THADS-11_Dien-Bien.xlsx"]
    source = tmp_path / "source"
    source.mkdir()
    for name in names:
        shutil.copy2(inbox / name, source / name)
    out = tmp_path / "x4"
    out.mkdir()
    inputs.write_copies(source, out, log=lambda _: None)
    assert len(report_files(out)) == 4 * len(names)
    for name in names:
        original = (source / name).read_bytes()
        copies = [(out / inputs.copy_name(Path(name), k)).read_bytes() for k in (1, 2, 3)]
        assert len({original, *copies}) == 4, name

        def figures(path: Path) -> list:
            result = parse_file(path, scope="cluster")
            assert result.rejection is None, (path.name, result.rejection)
            return sorted((s.unit_code, s.year, s.form, v.subunit or "", v.indicator, v.value)
                          for s in result.submissions for v in s.values)

        for k in (1, 2, 3):
            assert figures(out / inputs.copy_name(Path(name), k)) == figures(source / name)
    one, four = run_floor(source), run_floor(out)
    assert four.values == 4 * one.values
    assert compare_facts(one.facts, four.facts) == []


def test_measure_command_sees_a_grandchild_and_stops_overruns() -> None:
    grandchild = "b = b'x' * (160 * 1024 * 1024); import time; time.sleep(0.4)"
    child = ("import subprocess, sys; "
             f"subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)")
    run = measure_command([sys.executable, "-c", child], timeout=60)
    assert run.ok and run.exit_code == 0
    assert run.tree_peak_kib >= 150 * 1024  # sampled from /proc across the tree
    assert run.ru_maxrss_kib >= 150 * 1024  # wait4: the largest waited-for descendant
    stopped = measure_command([sys.executable, "-c", "import time; time.sleep(60)"],
                              timeout=0.5)
    assert stopped.timed_out and not stopped.ok
    failed = measure_command([sys.executable, "-c", "import sys; sys.exit(3)"], timeout=60)
    assert failed.exit_code == 3 and not failed.ok


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
    assert saved["inputs"]["national"]["files"] == 35
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

"""The measurements of `make bench`: (b) the floor in-process, (a) the national load with (c)
a corrected report after each run, and with --scale4, (b4) and (a4) on the 4× national set.
(d), the demo load, is a plain `loads.repeated_loads`."""

from __future__ import annotations

import os
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import inputs
from benchmarks.floor import FloorResult, compare_facts, run_floor, warehouse_facts
from benchmarks.loads import Log, clean_up, measure_load, record, repeated_loads, warehouse_of
from benchmarks.loads import workdir as run_folder
from benchmarks.measure import TreeSampler
from benchmarks.report import memory, seconds
from benchmarks.results import LINEAR_TOLERANCE, Measurement, per_file, rounded


def floor_warm_up() -> None:
    """Pay one-off import costs (pyarrow's first hand-over to DuckDB takes seconds; the name
    index of the register) before timing, so the floor measures per-input work only."""
    import duckdb
    import pyarrow as pa

    from ingest.reference import load_registry

    with duckdb.connect() as con:
        con.register("warm", pa.table({"x": [1]}))
        con.execute("select count(*) from warm").fetchall()
    load_registry().resolve_name("Sở Tư pháp tỉnh Cao Bằng", 2020)


def measure_floor(inbox: Path, runs: int, *, key: str = "b_floor",
                  title: str = "(b) floor: parse + one SQL (national)"
                  ) -> tuple[Measurement, FloorResult | None]:
    """The floor `runs` times in this process; its own peak RSS is sampled like a load's."""
    measurement = Measurement(key, title)
    last: FloorResult | None = None
    floor_warm_up()
    results: list[FloorResult] = []
    for _ in range(runs):
        sampler = TreeSampler(os.getpid())
        sampler.start()
        try:
            last = run_floor(inbox)
        except Exception as exc:  # noqa: BLE001 - reported in the results, not hidden
            sampler.stop()
            measurement.errors.append(f"{type(exc).__name__}: {exc}")
            break
        peak = sampler.stop()
        results.append(last)
        measurement.runs.append({
            "seconds": round(last.total_seconds, 3), "ok": True,
            "parse_seconds": round(last.parse_seconds, 3),
            "sql_seconds": round(last.sql_seconds, 3),
            "breakdown": {k: round(v, 3) for k, v in last.timings.items()},
            "process_peak_rss_kib": peak,
        })
    if last is not None:
        measurement.info.update(_floor_info(last, results))
    return measurement, last


def _floor_info(last: FloorResult, results: list[FloorResult]) -> dict:
    """What the floor read and computed, and the median of its parts over the runs."""
    parse = [r.parse_seconds for r in results]
    sql = [r.sql_seconds for r in results]
    breakdown = [r.timings for r in results]
    return {
        "files": last.files, "workbook_files": last.workbook_files,
        "csv_files": last.csv_files, "values_read": last.values,
        "fact_rows": {k: len(v) for k, v in last.facts.items()},
        "parse_seconds_median": rounded(statistics.median(parse)) if parse else None,
        "sql_seconds_median": rounded(statistics.median(sql)) if sql else None,
        "breakdown_median": {k: rounded(statistics.median(b[k] for b in breakdown))
                             for k in breakdown[0]} if breakdown else {},
        "note": "in-process; peak memory is this process's RSS (not a load's), so it is "
                "reported per run as process_peak_rss_kib and not checked",
    }


def corrected_total(facts: dict[str, list[dict[str, object]]],
                    correction: inputs.Correction) -> float | None:
    """The corrected figure in a warehouse's facts (fct_dissemination, per the contract)."""
    for row in facts["fct_dissemination"]:
        if (row["province_code"], int(str(row["year"]))) == (correction.province_code,
                                                             correction.year):
            value = row[correction.indicator]
            return None if value is None else float(str(value))
    return None


@dataclass
class NationalRuns:
    """(a) and (c), measured together: each correction load follows a national load."""

    a: Measurement
    c: Measurement
    floor_check: dict = field(default_factory=lambda: {
        "checked": False, "reason": "load (a) did not complete"})


def national_and_correction(runs: NationalRuns, national: Path, correction: inputs.Correction,
                            floor: FloorResult | None, *, work_root: Path, count: int,
                            timeout: float, keep: bool, log: Log) -> None:
    """`count` loads of the national inbox into an empty warehouse (a), each followed by the
    same inbox plus the corrected report, into the same warehouse (c)."""
    files = runs.a.info.get("files")
    for i in range(count):
        folder = run_folder(work_root, "national", first=i == 0)
        inbox = inputs.link_inbox(national, folder / "inbox")
        log(f"(a) run {i + 1}/{count}: tuphap load --scope national ({files} files)")
        run = measure_load(inbox, folder, scope="national", timeout=timeout)
        record(runs.a, run)
        log(f"    {seconds(run.seconds)} s, tree peak {memory(run.tree_peak_kib)}, "
            f"ru_maxrss {memory(run.ru_maxrss_kib)}, exit {run.exit_code}")
        if not run.ok:
            log("    load (a) failed; skipping its correction load and further runs")
            break
        if i == 0 and floor is not None:
            runs.floor_check = _floor_check(floor, warehouse_of(folder))
            log(f"    floor facts vs warehouse: {runs.floor_check}"[:300])
        _correction_run(runs.c, inbox, folder, correction, i, count, timeout, log)
        if runs.a.errors:
            break
    clean_up(work_root / "national", keep)


def _floor_check(floor: FloorResult, warehouse: Path) -> dict:
    """The floor's facts against the warehouse's after the first load (a)."""
    try:
        diffs = compare_facts(floor.facts, warehouse_facts(warehouse), limit=0)
    except Exception as exc:  # noqa: BLE001 - a check, not the benchmark
        return {"checked": False, "reason": f"{type(exc).__name__}: {exc}"}
    return {"checked": True, "equal": not diffs, "differences_total": len(diffs),
            "differences": diffs[:20]}


def _correction_run(c: Measurement, inbox: Path, folder: Path, correction: inputs.Correction,
                    i: int, count: int, timeout: float, log: Log) -> None:
    correction_run(c, inbox, folder, correction, run=(i, count), timeout=timeout, log=log,
                   facts=lambda: warehouse_facts(warehouse_of(folder)))


def correction_run(c: Measurement, inbox: Path, folder: Path, correction: inputs.Correction, *,
                   run: tuple[int, int], timeout: float, log: Log,
                   facts: Callable[[], dict[str, list[dict[str, object]]]],
                   warehouse: str | None = None, env: dict[str, str] | None = None) -> None:
    """(c): the corrected report joins the inbox of a loaded warehouse (DuckDB in `folder`, or
    `warehouse`); the load must show its figure, read back by `facts`."""
    target = inbox / correction.path.name
    try:
        os.link(correction.path, target)
    except OSError:
        shutil.copy2(correction.path, target)
    label = "(c)" if warehouse is None else "(c) PostgreSQL"
    log(f"{label} run {run[0] + 1}/{run[1]}: the same inbox plus {correction.path.name}")
    done = measure_load(inbox, folder, scope="national", timeout=timeout, warehouse=warehouse,
                        env=env)
    seen = None
    if done.ok:
        try:
            seen = corrected_total(facts(), correction)
        except Exception as exc:  # noqa: BLE001
            c.errors.append(f"could not read the corrected figure: {exc}")
    record(c, done, corrected_value_expected=correction.new_total,
           corrected_value_in_warehouse=seen, correction_visible=seen == correction.new_total)
    log(f"    {seconds(done.seconds)} s, tree peak {memory(done.tree_peak_kib)}, "
        f"corrected {correction.indicator} {seen} (expected {correction.new_total})")
    if done.ok and seen != correction.new_total:
        c.errors.append(f"run {run[0] + 1}: the warehouse shows {seen}, not the corrected "
                        f"{correction.new_total}")


def scale4(national4: Path, files4: int, a: Measurement, b: Measurement,
           floor: FloorResult | None, *, national_files: int, memory_target: int,
           work_root: Path, count: int, timeout: float, keep: bool, log: Log
           ) -> tuple[list[Measurement], dict]:
    """(b4) and (a4) on the 4× set, and the time per file at 1× and 4× (`scaling`)."""
    b4, floor4 = measure_floor(national4, 1, key="b4_floor",
                               title="(b4) floor, 4× national (1 run)")
    if floor is not None and floor4 is not None:
        diffs = compare_facts(floor.facts, floor4.facts)
        b4.info["same_facts_as_1x"] = not diffs
        if diffs:
            b4.errors.append("the 4× set gives different facts: " + "; ".join(diffs[:3]))
    a4 = Measurement("a4_national4_load", "(a4) 4× national load, empty warehouse",
                     None, memory_target, info={"files": files4})
    repeated_loads(a4, national4, work_root / "national4", scope="national", runs=count,
                   timeout=timeout, keep=keep, log=log,
                   what=f"tuphap load --scope national ({files4} files)")
    per1, per4 = per_file(a, national_files), per_file(a4, files4)
    ratio = per4 / per1 if per1 and per4 else None
    scaling = {
        "files_1x": national_files, "files_4x": files4,
        "seconds_per_file_1x": rounded(per1, 4), "seconds_per_file_4x": rounded(per4, 4),
        "per_file_ratio_4x_to_1x": rounded(ratio, 3),
        "floor_seconds_per_file_1x": rounded(per_file(b, national_files), 5),
        "floor_seconds_per_file_4x": rounded(per_file(b4, files4), 5),
        "verdict": None if ratio is None else (
            "linear or better" if ratio <= LINEAR_TOLERANCE else "worse than linear"),
    }
    return [b4, a4], scaling

"""(g) The yearly report: seconds to write one year's report (HTML page, A4 PDF, workbook).

The demo inbox is loaded once (not timed); then, in a fresh process for each run, every year's
report of that warehouse is written with `write_year_report`, each year timed apart: first
with an empty chart cache (charts drawn, the page's fonts subset: what a new machine pays),
then again with the cache warm (what every later load pays). The target, ≤ 2 s per year, is
checked against the median of the cold years; the warm median and the slowest year are kept
beside it. Runs as a subprocess so that the imports (altair, typst) are not in the timings of
the benchmark's own process and each run starts as a command would.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import inputs
from benchmarks.loads import Log, load_env, measure_load, warehouse_of, workdir
from benchmarks.report import seconds
from benchmarks.results import Measurement

TARGET_SECONDS_PER_YEAR = 2.0
_TIMER = """
import json, sys, time
from pathlib import Path
from orchestration.report.build import write_year_report
from orchestration.warehouse.engine import engine_for
warehouse, out = sys.argv[1], Path(sys.argv[2])
engine = engine_for(warehouse)
times = {}
for kind in ("cold", "warm"):
    with engine.read_only() as connection:
        for year in range(2018, 2026):
            folder = out / kind
            started = time.perf_counter()
            write_year_report(connection, year=year, scope="cluster", out_dir=folder)
            times.setdefault(kind, {})[year] = time.perf_counter() - started
print(json.dumps(times))
"""


def new_measurement() -> Measurement:
    return Measurement("g_yearly_report", "(g) yearly report, seconds per year",
                       TARGET_SECONDS_PER_YEAR, None)


def measure_reports(m: Measurement, demo_inbox: Path, work_root: Path, *, runs: int,
                    keep: bool, log: Log) -> None:
    folder = workdir(work_root, "reports", first=True)
    log("(g) loading the demo inbox for the yearly reports (not timed)")
    loaded = measure_load(inputs.link_inbox(demo_inbox, folder / "inbox"), folder,
                          scope="cluster")
    if not loaded.ok:
        m.errors.append(f"the demo load failed: {loaded.stderr_tail.strip()[-500:]}")
        return
    warehouse = warehouse_of(folder)
    cold_medians, warm_medians = [], []
    for i in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="chart-cache-", dir=folder))
        out = Path(tempfile.mkdtemp(prefix="reports-", dir=folder))
        env = {**load_env(folder), "TUPHAP_CHART_CACHE": str(cache)}
        done = subprocess.run([sys.executable, "-c", _TIMER, str(warehouse), str(out)],
                              cwd=inputs.PROJECT_ROOT, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        if done.returncode != 0:
            m.errors.append(f"run {i + 1}: {done.stderr.strip()[-500:]}")
            break
        times = json.loads(done.stdout.strip().splitlines()[-1])
        cold, warm = list(times["cold"].values()), list(times["warm"].values())
        cold_medians.append(statistics.median(cold))
        warm_medians.append(statistics.median(warm))
        m.runs.append({"seconds": statistics.median(cold), "ok": True,
                       "cold_seconds_by_year": times["cold"],
                       "warm_seconds_by_year": times["warm"], "slowest_cold": max(cold)})
        log(f"(g) run {i + 1}/{runs}: median {seconds(cold_medians[-1])} s a year with an empty "
            f"chart cache (slowest {seconds(max(cold))} s), {seconds(warm_medians[-1])} s warm")
    if warm_medians:
        m.info["warm_median_seconds"] = round(statistics.median(warm_medians), 3)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)

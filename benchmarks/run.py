"""`make bench`: time the real load against the floor and write benchmarks/results.json.

    python -m benchmarks.run [--quick] [--runs 3] [--scale4] [--strict]

Measurements (each the median of --runs runs; see README.md):
  (a) `tuphap load --scope national` of the national sample into an empty warehouse,
      as a separate process: wall time, peak memory;
  (b) the floor (benchmarks/floor.py), in-process;
  (c) a load of the national inbox from (a) plus one corrected report, into (a)'s warehouse;
  (d) `tuphap load` of the 14-unit demo inbox into an empty warehouse;
  (a4) with --scale4: (a) on the 4× national set, for time per file at 1× and 4×.

Peak memory of a load is measured two ways: ru_maxrss from os.wait4 (the largest single
process among the child and the descendants it waited for) and the peak of the summed RSS of
the child's whole process tree, sampled from /proc every 50 ms (dbt runs as a grandchild).
The memory target is checked against the larger of the two (normally the tree peak).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import inputs
from benchmarks.floor import FloorResult, compare_facts, run_floor, warehouse_facts
from ingest.vn_format import format_number
from orchestration.dbt_env import parse_cache_file
from orchestration.settings import DBT_PROJECT_DIR, TELEMETRY_OFF, build_file

RESULTS_FILE = inputs.BENCH_DIR / "results.json"
GIB = 1024 * 1024  # KiB per GiB
TARGETS = {
    "a_seconds": 60.0,
    "a_floor_ratio": 10.0,
    "c_seconds": 15.0,
    "d_seconds": 20.0,
    "memory_kib": int(1.5 * GIB),
}
DEFAULT_TIMEOUT = 15 * 60.0  # a single load slower than this is stopped and reported
LINEAR_TOLERANCE = 1.10  # 4× is "linear or better" if its time per file is within 10% of 1×
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


# ---------------------------------------------------------------------------------------------
# Memory of a process tree


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss KiB) of every process, from /proc/<pid>/stat."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                raw = handle.read()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid ..."; comm may hold spaces and parentheses
        fields = raw[raw.rfind(b")") + 2:].split()
        try:
            table[int(entry.name)] = (int(fields[1]), int(fields[21]) * _PAGE_KIB)
        except (IndexError, ValueError):
            continue
    return table


def tree_rss_kib(root: int, table: dict[int, tuple[int, int]] | None = None) -> int:
    """Summed RSS of `root` and all its descendants (shared pages are counted per process)."""
    table = table if table is not None else _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every `interval` seconds; keeps the peak."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_kib = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.root))
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kib


# ---------------------------------------------------------------------------------------------
# One process, measured


@dataclass
class ProcessRun:
    """One run of a command: wall time, exit code, memory, and where its output went."""

    seconds: float
    exit_code: int
    ru_maxrss_kib: int  # largest single process among the child and its waited-for descendants
    tree_peak_kib: int  # peak of the summed RSS of the child's process tree (sampled)
    timed_out: bool = False
    stdout: str = ""
    stderr_tail: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @property
    def peak_kib(self) -> int:
        return max(self.tree_peak_kib, self.ru_maxrss_kib)

    def as_json(self) -> dict:
        return {"seconds": round(self.seconds, 3), "exit_code": self.exit_code,
                "timed_out": self.timed_out, "ru_maxrss_kib": self.ru_maxrss_kib,
                "tree_peak_kib": self.tree_peak_kib, **self.extra}


def measure_command(argv: Sequence[str], *, env: dict[str, str] | None = None,
                    cwd: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
                    interval: float = 0.05, log_dir: Path | None = None) -> ProcessRun:
    """Run a command as its own process group; wall time, ru_maxrss (os.wait4) and tree peak.

    A command still running after `timeout` seconds is stopped (its whole process group, which
    only this harness started) and reported as timed out.
    """
    with tempfile.TemporaryDirectory(prefix="tuphap-bench-out-") as scratch:
        out_dir = log_dir or Path(scratch)
        out_path, err_path = out_dir / "stdout.txt", out_dir / "stderr.txt"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=out, stderr=err,
                                    start_new_session=True)
            sampler = TreeSampler(proc.pid, interval)
            sampler.start()
            finished = threading.Event()
            timed_out = threading.Event()

            def stop_on_timeout() -> None:
                if finished.wait(timeout):
                    return
                timed_out.set()
                for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
                    try:
                        os.killpg(proc.pid, sig)
                    except ProcessLookupError:
                        return
                    if finished.wait(grace):
                        return

            watchdog = threading.Thread(target=stop_on_timeout, daemon=True)
            watchdog.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            finished.set()
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            tree_peak = sampler.stop()
            watchdog.join()
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
    return ProcessRun(seconds, proc.returncode, int(usage.ru_maxrss), tree_peak,
                      timed_out.is_set(), stdout, stderr[-4000:])


# ---------------------------------------------------------------------------------------------
# Loads


def load_env(workdir: Path) -> dict[str, str]:
    """The environment of a measured load: nothing TUPHAP_* inherited (no alert channels, no
    other warehouse), a private DAGSTER_HOME and alert log, telemetry off."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TUPHAP_") and k != "DAGSTER_HOME"}
    env.update(TELEMETRY_OFF)
    env["DAGSTER_HOME"] = str(workdir / "dagster_home")
    env["TUPHAP_ALERT_LOG"] = str(workdir / "alerts.log")
    env["PYTHONIOENCODING"] = "utf-8"
    (workdir / "dagster_home").mkdir(parents=True, exist_ok=True)
    return env


def measure_load(inbox: Path, workdir: Path, *, scope: str,
                 timeout: float = DEFAULT_TIMEOUT) -> ProcessRun:
    """`tuphap load` of `inbox` into `workdir`/warehouse/tuphap.duckdb, as a separate process."""
    inbox, workdir = inbox.resolve(), workdir.resolve()  # the child runs in the project root
    warehouse = warehouse_of(workdir)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    argv = [*inputs.tuphap_command(), "load", "--inbox", str(inbox), "--warehouse",
            str(warehouse), "--scope", scope]
    return measure_command(argv, env=load_env(workdir), cwd=inputs.PROJECT_ROOT,
                           timeout=timeout)


def warehouse_of(workdir: Path) -> Path:
    return workdir / "warehouse" / "tuphap.duckdb"


# ---------------------------------------------------------------------------------------------
# Measurements and results


@dataclass
class Measurement:
    """Runs of one measurement, with its targets; summarised for the table and results.json."""

    key: str
    title: str
    seconds_target: float | None = None
    memory_target_kib: int | None = None
    runs: list[dict] = field(default_factory=list)  # as_json() of each run
    errors: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def times(self) -> list[float]:
        return [r["seconds"] for r in self.runs if r.get("ok", True)]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def peak_kib(self) -> int | None:
        peaks = [max(r.get("tree_peak_kib", 0), r.get("ru_maxrss_kib", 0)) for r in self.runs
                 if "tree_peak_kib" in r or "ru_maxrss_kib" in r]
        return max(peaks) if peaks else None

    def checks(self) -> list[dict]:
        out = []
        if self.seconds_target is not None:
            out.append(_check("median_seconds", self.median, self.seconds_target))
        if self.memory_target_kib is not None:
            out.append(_check("peak_memory_kib", self.peak_kib, self.memory_target_kib))
        return out

    def as_json(self) -> dict:
        times = self.times
        return {
            "title": self.title,
            "runs_seconds": [round(t, 3) for t in times],
            "median_seconds": _round(self.median),
            "min_seconds": _round(min(times)) if times else None,
            "max_seconds": _round(max(times)) if times else None,
            "peak_memory_kib": self.peak_kib,
            # A load's first run at its location also creates the Dagster instance and lets
            # dbt parse the project in full (see _workdir); the others show steady state.
            "cold_run_seconds": _round(self.runs[0]["seconds"]) if self.runs and
            "exit_code" in self.runs[0] else None,
            "runs": self.runs,
            "targets": {k: v for k, v in (("seconds", self.seconds_target),
                                          ("memory_kib", self.memory_target_kib))
                        if v is not None},
            "checks": self.checks(),
            "pass": all(c["pass"] for c in self.checks()) and not self.errors and bool(times),
            "errors": self.errors,
            **self.info,
        }


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def _check(name: str, value: float | None, target: float) -> dict:
    return {"name": name, "value": _round(value), "target": target,
            "pass": value is not None and value <= target}


def machine_info() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_kib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=inputs.PROJECT_ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_kib": memory_kib,
        "memory_gib": round(memory_kib / GIB, 1) if memory_kib else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": commit or None,
        # other work on the machine skews timings: 1/5/15-minute load averages when written
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def results_document(machine: dict, settings: dict, measurements: Sequence[Measurement], *,
                     inputs_used: dict, floor_check: dict | None = None,
                     scaling: dict | None = None) -> dict:
    """The content of results.json (see README.md for the fields)."""
    by_key = {m.key: m for m in measurements}
    a, b = by_key.get("a_national_load"), by_key.get("b_floor")
    ratio = (a.median / b.median) if a and b and a.median and b.median else None
    doc_measurements = {m.key: m.as_json() for m in measurements}
    if a is not None:
        ratio_check = _check("load_to_floor_ratio", ratio, TARGETS["a_floor_ratio"])
        entry = doc_measurements[a.key]
        entry["checks"].append(ratio_check)
        entry["pass"] = entry["pass"] and ratio_check["pass"]
        entry["targets"]["floor_ratio"] = TARGETS["a_floor_ratio"]
    return {
        "schema_version": 1,
        "machine": machine,
        "settings": settings,
        "inputs": inputs_used,
        "measurements": doc_measurements,
        "ratio_load_to_floor": _round(ratio, 2),
        "floor_matches_warehouse": floor_check,
        "scaling": scaling,
        "pass": all(m["pass"] for m in doc_measurements.values()),
    }


def write_results(doc: dict, path: Path = RESULTS_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _seconds(x: float | None) -> str:
    return "-" if x is None else format_number(x, 2)


def _memory(kib: int | None) -> str:
    if kib is None:
        return "-"
    return (f"{format_number(kib / GIB, 2)} GiB" if kib >= GIB
            else f"{format_number(kib / 1024)} MiB")


_CHECK_NAMES = {"median_seconds": "time", "peak_memory_kib": "memory",
                "load_to_floor_ratio": "× floor"}


def format_table(doc: dict) -> str:
    """The table printed at the end: one line per measurement, then the ratio and scaling."""
    header = (f"{'measurement':<44} {'median s':>9} {'min':>8} {'max':>8} {'peak mem':>11}  "
              f"{'target':<32} result")
    lines = [header, "-" * len(header)]
    for m in doc["measurements"].values():
        targets = []
        if "seconds" in m["targets"]:
            targets.append(f"≤ {format_number(m['targets']['seconds'])} s")
        if "floor_ratio" in m["targets"]:
            targets.append(f"≤ {format_number(m['targets']['floor_ratio'])}× floor")
        if "memory_kib" in m["targets"]:
            targets.append(f"≤ {_memory(m['targets']['memory_kib'])}")
        missed = [c["name"] for c in m["checks"] if not c["pass"]]
        result = ("ERROR" if m["errors"] else "PASS" if m["pass"] else
                  "FAIL (" + ", ".join(_CHECK_NAMES.get(n, n) for n in missed) + ")")
        if not targets and not m["errors"]:
            result = "-"
        elif not m["runs"] and not m["errors"]:
            result = "NOT RUN"
        lines.append(f"{m['title'][:44]:<44} {_seconds(m['median_seconds']):>9} "
                     f"{_seconds(m['min_seconds']):>8} {_seconds(m['max_seconds']):>8} "
                     f"{_memory(m['peak_memory_kib']):>11}  {', '.join(targets):<32} {result}")
    ratio = doc.get("ratio_load_to_floor")
    cold = [f"{key.split('_')[0]}) {_seconds(m['cold_run_seconds'])} s" for key, m in
            doc["measurements"].items() if m.get("cold_run_seconds") is not None
            and not key.startswith("c_")]
    if cold:
        lines.append("first run at its location (new Dagster instance, dbt's full parse): "
                     + ", ".join(f"({c}" for c in cold))
    lines.append("")
    lines.append("load (a) / floor (b): " + ("-" if ratio is None else
                                            f"{format_number(ratio, 2)}×"))
    floor = doc["measurements"].get("b_floor")
    if floor and floor.get("parse_seconds_median") is not None:
        lines.append(f"floor breakdown (median): parse {_seconds(floor['parse_seconds_median'])} s"
                     f" (workbooks {_seconds(floor['breakdown_median']['workbooks_seconds'])},"
                     f" CSV {_seconds(floor['breakdown_median']['csv_seconds'])},"
                     f" hand-over {_seconds(floor['breakdown_median']['handover_seconds'])}),"
                     f" SQL {_seconds(floor['sql_seconds_median'])} s")
    check = doc.get("floor_matches_warehouse")
    if check:
        lines.append("floor facts vs warehouse facts after (a): " + (
            "equal" if check.get("equal") else
            f"DIFFERENT ({len(check.get('differences', []))} shown in results.json)"
            if check.get("checked") else f"not checked ({check.get('reason')})"))
    scaling = doc.get("scaling")
    if scaling:
        lines.append(f"time per file: 1× {_seconds(scaling.get('seconds_per_file_1x'))} s, "
                     f"4× {_seconds(scaling.get('seconds_per_file_4x'))} s -> "
                     f"{scaling.get('verdict')}")
    lines.append("")
    lines.append("ALL TARGETS MET" if doc["pass"] else "SOME TARGETS MISSED (see above)")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The floor, measured


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
    parse, sql, breakdown = [], [], []
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
        parse.append(last.parse_seconds)
        sql.append(last.sql_seconds)
        breakdown.append(last.timings)
        measurement.runs.append({
            "seconds": round(last.total_seconds, 3), "ok": True,
            "parse_seconds": round(last.parse_seconds, 3),
            "sql_seconds": round(last.sql_seconds, 3),
            "breakdown": {k: round(v, 3) for k, v in last.timings.items()},
            "process_peak_rss_kib": peak,
        })
    if last is not None:
        measurement.info.update({
            "files": last.files, "workbook_files": last.workbook_files,
            "csv_files": last.csv_files, "values_read": last.values,
            "fact_rows": {k: len(v) for k, v in last.facts.items()},
            "parse_seconds_median": _round(statistics.median(parse)) if parse else None,
            "sql_seconds_median": _round(statistics.median(sql)) if sql else None,
            "breakdown_median": {k: _round(statistics.median(b[k] for b in breakdown))
                                 for k in breakdown[0]} if breakdown else {},
            "note": "in-process; peak memory is this process's RSS (not a load's), so it is "
                    "reported per run as process_peak_rss_kib and not checked",
        })
    return measurement, last


# ---------------------------------------------------------------------------------------------
# The benchmark


def _record(measurement: Measurement, run: ProcessRun, **extra: object) -> None:
    entry = {**run.as_json(), "ok": run.ok, **extra}
    measurement.runs.append(entry)
    if not run.ok:
        what = "timed out" if run.timed_out else f"exit code {run.exit_code}"
        tail = run.stderr_tail.strip().splitlines()[-5:]
        measurement.errors.append(f"run {len(measurement.runs)} {what}: " + " | ".join(tail))


def _per_file(m: Measurement | None, files: int) -> float | None:
    return m.median / files if m and m.median and files else None


def _workdir(root: Path, name: str, *, first: bool = False) -> Path:
    """The folder of a run: one per measurement, the same for each of its runs and emptied
    before each, but for the Dagster instance.

    Like a data team's warehouse, it keeps its location and its Dagster instance from one load
    to the next, so dbt reuses its parse of the project for that warehouse. The `first` run of
    a measurement pays what a new location costs once (a new instance, dbt's full parse: the
    parse an earlier benchmark saved for this location is forgotten): it is reported apart as
    `cold_run_seconds`.
    """
    folder = root / name
    if first:
        shutil.rmtree(folder / "dagster_home", ignore_errors=True)
        parse_cache_file(DBT_PROJECT_DIR, build_file(warehouse_of(folder.resolve()))).unlink(
            missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.name == "dagster_home":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    return folder


def _clean_up(folder: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def _repeated_loads(m: Measurement, source: Path, folder: Path, *, scope: str, runs: int,
                    args: argparse.Namespace, log: Callable[[str], None], what: str) -> None:
    """`runs` loads of `source` into an empty warehouse in `folder` (see _workdir), recorded
    in `m`; stops at the first failed run. (a) has its own loop: a correction follows each."""
    label = m.key.split("_")[0]
    for i in range(runs):
        workdir = _workdir(folder.parent, folder.name, first=i == 0)
        inbox = inputs.link_inbox(source, workdir / "inbox")
        log(f"({label}) run {i + 1}/{runs}: {what}")
        run = measure_load(inbox, workdir, scope=scope, timeout=args.timeout)
        _record(m, run)
        log(f"    {_seconds(run.seconds)} s, tree peak {_memory(run.tree_peak_kib)}")
        if m.errors:
            break
    _clean_up(folder, args.keep)


def corrected_total(warehouse: Path, correction: inputs.Correction) -> float | None:
    """The corrected figure as the warehouse shows it (fct_dissemination, per the contract)."""
    facts = warehouse_facts(warehouse)["fct_dissemination"]
    for row in facts:
        if (row["province_code"], int(row["year"])) == (correction.province_code,
                                                        correction.year):
            value = row[correction.indicator]
            return None if value is None else float(value)
    return None


def _log(message: str) -> None:
    print(message, flush=True)


def run_benchmark(args: argparse.Namespace, log: Callable[[str], None] = _log) -> dict:
    cache = Path(args.cache).resolve()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    runs = 1 if args.quick else args.runs
    scale4 = args.scale4 and not args.quick
    work_root = cache / "runs"
    log(f"benchmark: {runs} run(s) per measurement{', with the 4× scale' if scale4 else ''}"
        f" (load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")

    log("inputs: national sample, demo inbox" + (", 4× national" if scale4 else ""))
    national = inputs.ensure_national(cache)
    demo = inputs.ensure_demo(cache)
    inputs_used = {"national": inputs.inputs_info(national), "demo": inputs.inputs_info(demo)}
    correction_dir = Path(tempfile.mkdtemp(prefix="correction-", dir=cache))
    correction = inputs.make_correction(national, correction_dir)
    inputs_used["correction"] = correction.as_json()
    national4 = None
    if scale4:
        national4 = inputs.ensure_national4(cache, national, log=log)
        inputs_used["national4"] = inputs.inputs_info(national4)
    national_files = inputs_used["national"]["files"]

    mem = TARGETS["memory_kib"]
    a = Measurement("a_national_load", "(a) national load, empty warehouse",
                    TARGETS["a_seconds"], mem, info={"files": national_files})
    c = Measurement("c_correction_load", "(c) national inbox + 1 corrected report",
                    TARGETS["c_seconds"], mem)
    d = Measurement("d_demo_load", "(d) demo inbox (14 units), empty warehouse",
                    TARGETS["d_seconds"], mem, info={"files": inputs_used["demo"]["files"]})
    measurements: list[Measurement] = []

    log(f"(b) floor on {national_files} files ...")
    b, floor_result = measure_floor(national, runs)
    log(f"    {_seconds(b.median)} s (parse {_seconds(b.info.get('parse_seconds_median'))} s, "
        f"SQL {_seconds(b.info.get('sql_seconds_median'))} s)")

    floor_check: dict = {"checked": False, "reason": "load (a) did not complete"}
    for i in range(runs):
        workdir = _workdir(work_root, "national", first=i == 0)
        inbox = inputs.link_inbox(national, workdir / "inbox")
        log(f"(a) run {i + 1}/{runs}: tuphap load --scope national ({national_files} files)")
        run = measure_load(inbox, workdir, scope="national", timeout=args.timeout)
        _record(a, run)
        log(f"    {_seconds(run.seconds)} s, tree peak {_memory(run.tree_peak_kib)}, "
            f"ru_maxrss {_memory(run.ru_maxrss_kib)}, exit {run.exit_code}")
        if not run.ok:
            log("    load (a) failed; skipping its correction load and further runs")
            break
        if i == 0 and floor_result is not None:
            try:
                diffs = compare_facts(floor_result.facts,
                                      warehouse_facts(warehouse_of(workdir)), limit=0)
                floor_check = {"checked": True, "equal": not diffs,
                               "differences_total": len(diffs), "differences": diffs[:20]}
            except Exception as exc:  # noqa: BLE001 - a check, not the benchmark
                floor_check = {"checked": False, "reason": f"{type(exc).__name__}: {exc}"}
            log(f"    floor facts vs warehouse: {floor_check}"[:300])
        target = inbox / correction.path.name
        try:
            os.link(correction.path, target)
        except OSError:
            shutil.copy2(correction.path, target)
        log(f"(c) run {i + 1}/{runs}: the same inbox plus {correction.path.name}")
        run = measure_load(inbox, workdir, scope="national", timeout=args.timeout)
        seen = None
        if run.ok:
            try:
                seen = corrected_total(warehouse_of(workdir), correction)
            except Exception as exc:  # noqa: BLE001
                c.errors.append(f"could not read the corrected figure: {exc}")
        _record(c, run, corrected_value_expected=correction.new_total,
                corrected_value_in_warehouse=seen,
                correction_visible=seen == correction.new_total)
        log(f"    {_seconds(run.seconds)} s, tree peak {_memory(run.tree_peak_kib)}, "
            f"corrected {correction.indicator} {seen} (expected {correction.new_total})")
        if run.ok and seen != correction.new_total:
            c.errors.append(f"run {i + 1}: the warehouse shows {seen}, not the corrected "
                            f"{correction.new_total}")
        if a.errors:
            break
    _clean_up(work_root / "national", args.keep)
    measurements += [a, b, c]

    _repeated_loads(d, demo, work_root / "demo", scope="cluster", runs=runs, args=args,
                    log=log, what="tuphap load (demo inbox, cluster scope)")
    measurements.append(d)

    scaling = None
    if national4 is not None:
        files4 = inputs_used["national4"]["files"]
        b4, floor4 = measure_floor(national4, 1, key="b4_floor",
                                   title="(b4) floor, 4× national (1 run)")
        if floor_result is not None and floor4 is not None:
            diffs = compare_facts(floor_result.facts, floor4.facts)
            b4.info["same_facts_as_1x"] = not diffs
            if diffs:
                b4.errors.append("the 4× set gives different facts: " + "; ".join(diffs[:3]))
        a4 = Measurement("a4_national4_load", "(a4) 4× national load, empty warehouse",
                         None, mem, info={"files": files4})
        _repeated_loads(a4, national4, work_root / "national4", scope="national", runs=runs,
                        args=args, log=log,
                        what=f"tuphap load --scope national ({files4} files)")
        measurements += [b4, a4]
        per1, per4 = _per_file(a, national_files), _per_file(a4, files4)
        ratio = per4 / per1 if per1 and per4 else None
        scaling = {
            "files_1x": national_files, "files_4x": files4,
            "seconds_per_file_1x": _round(per1, 4), "seconds_per_file_4x": _round(per4, 4),
            "per_file_ratio_4x_to_1x": _round(ratio, 3),
            "floor_seconds_per_file_1x": _round(_per_file(b, national_files), 5),
            "floor_seconds_per_file_4x": _round(_per_file(b4, files4), 5),
            "verdict": None if ratio is None else (
                "linear or better" if ratio <= LINEAR_TOLERANCE else "worse than linear"),
        }
    shutil.rmtree(correction_dir, ignore_errors=True)

    settings = {"runs": runs, "quick": args.quick, "scale4": scale4, "started_at": started,
                "load_average_at_start": load_at_start,
                "timeout_seconds": args.timeout, "targets": TARGETS,
                "linear_tolerance": LINEAR_TOLERANCE}
    return results_document(machine_info(), settings, measurements, inputs_used=inputs_used,
                            floor_check=floor_check, scaling=scaling)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="1 run per measurement, no 4× scale (to try it out)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--scale4", action="store_true",
                        help="also measure (a) on the 4× national set")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target is missed, not only when a run fails")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="stop a single load after this many seconds (default 900)")
    parser.add_argument("--cache", default=str(inputs.DEFAULT_CACHE),
                        help="where inputs and run folders live (default benchmarks/cache)")
    parser.add_argument("--results", default=str(RESULTS_FILE), help="results.json path")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's warehouse folder under <cache>/runs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)
    doc = run_benchmark(args)
    path = write_results(doc, Path(args.results))
    print()
    print(format_table(doc))
    print(f"\nresults: {path}")
    failed_runs = any(m["errors"] for m in doc["measurements"].values())
    if failed_runs or (args.strict and not doc["pass"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

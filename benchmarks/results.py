"""Measurements, their targets, and results.json (fields documented in README.md)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import inputs

RESULTS_FILE = inputs.BENCH_DIR / "results.json"
GIB = 1024 * 1024  # KiB per GiB
TARGETS = {
    "a_seconds": 60.0,
    "a_floor_ratio": 10.0,
    "c_seconds": 15.0,
    "d_seconds": 20.0,
    "e_duckdb_ratio": 1.5,  # the national load on PostgreSQL, against (a) on DuckDB
    "f_seconds": 60.0,  # a report in the inbox -> published, by the running service
    "memory_kib": int(1.5 * GIB),
}
LINEAR_TOLERANCE = 1.10  # 4× is "linear or better" if its time per file is within 10% of 1×


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
            out.append(check("median_seconds", self.median, self.seconds_target))
        if self.memory_target_kib is not None:
            out.append(check("peak_memory_kib", self.peak_kib, self.memory_target_kib))
        return out

    def as_json(self) -> dict:
        times = self.times
        return {
            "title": self.title,
            "runs_seconds": [round(t, 3) for t in times],
            "median_seconds": rounded(self.median),
            "min_seconds": rounded(min(times)) if times else None,
            "max_seconds": rounded(max(times)) if times else None,
            "peak_memory_kib": self.peak_kib,
            # A load's first run at its location also creates the Dagster instance and lets
            # dbt parse the project in full (see loads.workdir); the others show steady state.
            "cold_run_seconds": rounded(self.runs[0]["seconds"]) if self.runs and
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


def rounded(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def check(name: str, value: float | None, target: float) -> dict:
    return {"name": name, "value": rounded(value), "target": target,
            "pass": value is not None and value <= target}


def per_file(m: Measurement | None, files: int) -> float | None:
    """Median seconds per file of a measurement."""
    return m.median / files if m and m.median and files else None


def _first_line_value(path: str, prefix: str) -> str | None:
    """The text after ':' on the first line of a /proc file starting with `prefix`."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info() -> dict:
    """What the numbers were measured on."""
    cpu = _first_line_value("/proc/cpuinfo", "model name") or "unknown"
    memory = _first_line_value("/proc/meminfo", "MemTotal:")
    memory_kib = int(memory.split()[0]) if memory else None
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
        ratio_check = check("load_to_floor_ratio", ratio, TARGETS["a_floor_ratio"])
        entry = doc_measurements[a.key]
        entry["checks"].append(ratio_check)
        entry["pass"] = entry["pass"] and ratio_check["pass"]
        entry["targets"]["floor_ratio"] = TARGETS["a_floor_ratio"]
    e = by_key.get("e_postgres_national_load")
    if e is not None:
        to_duckdb = e.median / a.median if a and a.median and e.median else None
        duckdb_check = check("ratio_to_duckdb", to_duckdb, TARGETS["e_duckdb_ratio"])
        entry = doc_measurements[e.key]
        entry["checks"].append(duckdb_check)
        entry["pass"] = entry["pass"] and duckdb_check["pass"]
        entry["targets"]["duckdb_ratio"] = TARGETS["e_duckdb_ratio"]
        entry["ratio_to_duckdb_national"] = rounded(to_duckdb, 2)
    return {
        "schema_version": 1,
        "machine": machine,
        "settings": settings,
        "inputs": inputs_used,
        "measurements": doc_measurements,
        "ratio_load_to_floor": rounded(ratio, 2),
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

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
    "a_floor_ratio": 8.0,  # `tuphap load` returning
    "a_published_floor_ratio": 6.0,  # the publish done
    "a_reports_seconds": 15.0,  # the reports of its years ready, after the publish
    "process_memory_kib": int(0.6 * GIB),  # the largest process of a load
    "c_seconds": 15.0,
    "c_floor_ratio": 3.0,
    "c_postgres_ratio": 1.5,  # a correction on PostgreSQL, against (c) on DuckDB
    "d_seconds": 20.0,
    "e_duckdb_ratio": 1.2,  # the national load on PostgreSQL, against (a) on DuckDB
    "f_seconds": 45.0,  # a report in the inbox -> published, by the running service
    "memory_kib": int(1.5 * GIB),  # a load's whole process tree
}
# Targets of a measurement against another of the same run: (measurement, check name, what of
# its runs, target, the other measurement). "seconds" is the run's time; other names are
# fields of its runs (milestones.py). The check's target goes to `targets` under its name.
RATIO_CHECKS = (
    ("a_national_load", "floor_ratio", "seconds", "a_floor_ratio", "b_floor"),
    ("a_national_load", "published_floor_ratio", "published_seconds",
     "a_published_floor_ratio", "b_floor"),
    ("c_correction_load", "floor_ratio", "seconds", "c_floor_ratio", "b_floor"),
    ("e_postgres_national_load", "duckdb_ratio", "seconds", "e_duckdb_ratio",
     "a_national_load"),
    ("c_postgres_correction_load", "duckdb_ratio", "seconds", "c_postgres_ratio",
     "c_correction_load"),
)
LINEAR_TOLERANCE = 1.10  # 4× is "linear or better" if its time per file is within 10% of 1×


@dataclass
class Measurement:
    """Runs of one measurement, with its targets; summarised for the table and results.json."""

    key: str
    title: str
    seconds_target: float | None = None
    memory_target_kib: int | None = None
    process_memory_target_kib: int | None = None  # the largest process (ru_maxrss)
    reports_target_seconds: float | None = None  # reports ready, after the publish
    runs: list[dict] = field(default_factory=list)  # as_json() of each run
    errors: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def times(self) -> list[float]:
        return [r["seconds"] for r in self.runs if r.get("ok", True)]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def median_of(self, name: str) -> float | None:
        """The median over the good runs of `name`: "seconds" or a field of the runs. None
        when a good run lacks it: a milestone missing from one run is not hidden by the others."""
        values = [r.get(name) for r in self.runs if r.get("ok", True)]
        if not values or any(value is None for value in values):
            return None
        return statistics.median(values)

    @property
    def largest_process_kib(self) -> int | None:
        """Over every run, failed ones too (as peak_kib): a run that failed for lack of memory
        still counts."""
        sizes = [r["ru_maxrss_kib"] for r in self.runs if "ru_maxrss_kib" in r]
        return max(sizes) if sizes else None

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
        if self.process_memory_target_kib is not None:
            out.append(check("largest_process_kib", self.largest_process_kib,
                             self.process_memory_target_kib))
        if self.reports_target_seconds is not None:
            out.append(check("reports_ready_seconds_after_publish",
                             self.median_of("reports_ready_seconds_after_publish"),
                             self.reports_target_seconds))
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
            "targets": {k: v for k, v in (
                ("seconds", self.seconds_target), ("memory_kib", self.memory_target_kib),
                ("process_memory_kib", self.process_memory_target_kib),
                ("reports_seconds", self.reports_target_seconds)) if v is not None},
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
    for key, name, field_name, target, other_key in RATIO_CHECKS:
        measured, other = by_key.get(key), by_key.get(other_key)
        if measured is None:
            continue
        value = measured.median_of(field_name)
        relative = value / other.median if value and other and other.median else None
        entry = doc_measurements[key]
        entry["checks"].append(check(name, relative, TARGETS[target]))
        entry["targets"][name] = TARGETS[target]
        entry[f"{name}_value"] = rounded(relative)
        entry["pass"] = all(c["pass"] for c in entry["checks"]) and not entry["errors"] and \
            bool(measured.times)
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

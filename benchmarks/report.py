"""The table printed at the end of `make bench`: English words, numbers the Vietnamese way."""

from __future__ import annotations

from benchmarks.results import GIB
from ingest.vn_format import format_number

_CHECK_NAMES = {"median_seconds": "time", "peak_memory_kib": "memory",
                "largest_process_kib": "process", "floor_ratio": "× floor",
                "published_floor_ratio": "published × floor", "duckdb_ratio": "× DuckDB",
                "reports_ready_seconds_after_publish": "reports"}


def seconds(x: float | None) -> str:
    return "-" if x is None else format_number(x, 2)


def memory(kib: int | None) -> str:
    """A size given in KiB, in MiB or GiB: the benchmark's one size formatter."""
    if kib is None:
        return "-"
    return (f"{format_number(kib / GIB, 2)} GiB" if kib >= GIB
            else f"{format_number(kib / 1024)} MiB")


def format_table(doc: dict) -> str:
    """The table printed at the end: one line per measurement, then the ratio and scaling."""
    header = (f"{'measurement':<44} {'median s':>9} {'min':>8} {'max':>8} {'peak mem':>11}  "
              f"{'target':<86} result")
    lines = [header, "-" * len(header)]
    lines += [_measurement_line(m) for m in doc["measurements"].values()]
    cold = [f"{key.split('_')[0]}) {seconds(m['cold_run_seconds'])} s" for key, m in
            doc["measurements"].items() if m.get("cold_run_seconds") is not None
            and not key.startswith("c_")]
    if cold:
        lines.append("first run at its location (new Dagster instance, dbt's full parse): "
                     + ", ".join(f"({c}" for c in cold))
    lines.append("")
    lines += _summary_lines(doc)
    lines.append("")
    lines.append("ALL TARGETS MET" if doc["pass"] else "SOME TARGETS MISSED (see above)")
    return "\n".join(lines)


# How each target reads in the table, in its order: {} is the target's value.
_TARGET_WORDS = (("seconds", "≤ {} s"), ("floor_ratio", "≤ {}× floor"),
                 ("published_floor_ratio", "published ≤ {}×"),
                 ("duckdb_ratio", "≤ {}× DuckDB"), ("reports_seconds", "reports ≤ {} s after"),
                 ("process_memory_kib", "process ≤ {}"), ("memory_kib", "≤ {}"))


def _targets(m: dict) -> list[str]:
    """A measurement's targets, in words: ≤ 60 s, ≤ 8× floor, published ≤ 6×, …"""
    words = []
    for name, template in _TARGET_WORDS:
        if name not in m["targets"]:
            continue
        value = m["targets"][name]
        shown = memory(value) if name.endswith("_kib") else format_number(value, None)
        words.append(template.format(shown))
        if name == "duckdb_ratio":  # against (c) for a correction, else (a)
            words[-1] += " (c)" if m["title"].startswith("(c") else " (a)"
    return words


def _measurement_line(m: dict) -> str:
    targets = _targets(m)
    missed = [c["name"] for c in m["checks"] if not c["pass"]]
    result = ("ERROR" if m["errors"] else "PASS" if m["pass"] else
              "FAIL (" + ", ".join(_CHECK_NAMES.get(n, n) for n in missed) + ")")
    if not targets and not m["errors"]:
        result = "-"
    elif not m["runs"] and not m["errors"]:
        result = "NOT RUN"
    return (f"{m['title'][:44]:<44} {seconds(m['median_seconds']):>9} "
            f"{seconds(m['min_seconds']):>8} {seconds(m['max_seconds']):>8} "
            f"{memory(m['peak_memory_kib']):>11}  {', '.join(targets):<86} {result}")


def _summary_lines(doc: dict) -> list[str]:
    """The ratio to the floor, the floor's breakdown, its check, and the 4× scaling."""
    ratio = doc.get("ratio_load_to_floor")
    lines = ["load (a) / floor (b): " + ("-" if ratio is None else
                                         f"{format_number(ratio, 2)}×")]
    a = doc["measurements"].get("a_national_load") or {}
    if a.get("published_floor_ratio_value") is not None:
        after = [r["reports_ready_seconds_after_publish"] for r in a.get("runs", [])
                 if r.get("reports_ready_seconds_after_publish") is not None]
        lines.append(f"(a) published at {format_number(a['published_floor_ratio_value'], 2)}× "
                     "the floor; its yearly reports ready "
                     + (", ".join(f"{seconds(x)} s" for x in after) or "-")
                     + " after the publish")
    floor = doc["measurements"].get("b_floor")
    if floor and floor.get("parse_seconds_median") is not None:
        lines.append(f"floor breakdown (median): parse {seconds(floor['parse_seconds_median'])} s"
                     f" (workbooks {seconds(floor['breakdown_median']['workbooks_seconds'])},"
                     f" CSV {seconds(floor['breakdown_median']['csv_seconds'])},"
                     f" hand-over {seconds(floor['breakdown_median']['handover_seconds'])}),"
                     f" SQL {seconds(floor['sql_seconds_median'])} s")
    check = doc.get("floor_matches_warehouse")
    if check:
        lines.append("floor facts vs warehouse facts after (a): " + (
            "equal" if check.get("equal") else
            f"DIFFERENT ({len(check.get('differences', []))} shown in results.json)"
            if check.get("checked") else f"not checked ({check.get('reason')})"))
    scaling = doc.get("scaling")
    if scaling:
        lines.append(f"time per file: 1× {seconds(scaling.get('seconds_per_file_1x'))} s, "
                     f"4× {seconds(scaling.get('seconds_per_file_4x'))} s -> "
                     f"{scaling.get('verdict')}")
    return lines

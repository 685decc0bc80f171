"""`make bench`: time the real load against the floor and write benchmarks/results.json.

    python -m benchmarks.run [--quick] [--runs 3] [--scale4] [--strict]

Measurements (each the median of --runs runs; see README.md):
  (a) `tuphap load --scope national` of the national sample into an empty warehouse,
      as a separate process: wall time, peak memory;
  (b) the floor (benchmarks/floor/), in-process;
  (c) a load of the national inbox from (a) plus one corrected report, into (a)'s warehouse;
  (d) `tuphap load` of the 14-unit demo inbox into an empty warehouse;
  (e) (a) on PostgreSQL: a server started by the benchmark, a new database each run;
  (a4) with --scale4: (a) on the 4× national set, for time per file at 1× and 4×;
  (f) with the service running (python -m deploy.serve, instance in PostgreSQL): seconds from
      a corrected report landing in the inbox of a demo warehouse to its figure published;
      and for a mailed report (benchmarks/mail_service.py; --mail-only): from an officer's
      message reaching the mailbox (IMAP APPEND) to its figure published and the receipt on
      the officer's thread in the SMTP server;
  (g) the yearly report: seconds per year to write one year's HTML, PDF and workbook, with an
      empty chart cache and a warm one (benchmarks/yearly_reports.py; --reports-only runs it
      alone);
  (h) the units' messages: seconds the receipts of a national load (every unit) and of one
      correction take to send to a real SMTP server (benchmarks/messages.py; --messages-only).

Peak memory of a load is measured two ways: ru_maxrss from os.wait4 (the largest single
process among the child and the descendants it waited for) and the peak of the summed RSS of
the child's whole process tree, sampled from /proc every 50 ms (dbt runs as a grandchild).
The memory target is checked against the larger of the two (normally the tree peak).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import inputs
from benchmarks.loads import Log, repeated_loads, telemetry_off
from benchmarks.mail_service import measure_mailed_report
from benchmarks.mail_service import new_measurement as new_mail_measurement
from benchmarks.measure import DEFAULT_TIMEOUT
from benchmarks.messages import measure_messages
from benchmarks.messages import new_measurement as new_messages_measurement
from benchmarks.postgres import postgres_national
from benchmarks.report import format_table, seconds
from benchmarks.results import (
    LINEAR_TOLERANCE,
    RESULTS_FILE,
    TARGETS,
    Measurement,
    machine_info,
    results_document,
    write_results,
)
from benchmarks.scenarios import NationalRuns, measure_floor, national_and_correction, scale4
from benchmarks.service import measure_service, new_measurement
from benchmarks.yearly_reports import measure_reports
from benchmarks.yearly_reports import new_measurement as new_report_measurement


def _log(message: str) -> None:
    print(message, flush=True)


def _inputs(cache: Path, with_scale4: bool, log: Log
            ) -> tuple[dict, dict[str, Path], inputs.Correction]:
    """The cached inboxes (made once), a fresh corrected report in a folder of its own
    ("correction", removed at the end), and their entry in results.json."""
    log("inputs: national sample, demo inbox" + (", 4× national" if with_scale4 else ""))
    folders = {"national": inputs.ensure_national(cache), "demo": inputs.ensure_demo(cache)}
    used = {name: inputs.inputs_info(folder) for name, folder in folders.items()}
    folders["correction"] = Path(tempfile.mkdtemp(prefix="correction-", dir=cache))
    correction = inputs.make_correction(folders["national"], folders["correction"])
    used["correction"] = correction.as_json()
    if with_scale4:
        folders["national4"] = inputs.ensure_national4(cache, folders["national"], log=log)
        used["national4"] = inputs.inputs_info(folders["national4"])
    return used, folders, correction


def run_benchmark(args: argparse.Namespace, log: Log = _log) -> dict:
    if args.reports_only:
        return _reports_only(args, log)
    if args.messages_only:
        return _messages_only(args, log)
    if args.mail_only:
        return _mail_only(args, log)
    cache = Path(args.cache).resolve()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    runs = 1 if args.quick else args.runs
    with_scale4 = args.scale4 and not args.quick
    work_root = cache / "runs"
    log(f"benchmark: {runs} run(s) per measurement{', with the 4× scale' if with_scale4 else ''}"
        f" (load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    used, folders, correction = _inputs(cache, with_scale4, log)
    national_files = used["national"]["files"]
    mem = int(TARGETS["memory_kib"])
    national = NationalRuns(
        Measurement("a_national_load", "(a) national load, empty warehouse",
                    seconds_target=TARGETS["a_seconds"], memory_target_kib=mem,
                    process_memory_target_kib=int(TARGETS["process_memory_kib"]),
                    reports_target_seconds=TARGETS["a_reports_seconds"],
                    info={"files": national_files}),
        Measurement("c_correction_load", "(c) national inbox + 1 corrected report",
                    TARGETS["c_seconds"], mem))
    e = Measurement("e_postgres_national_load", "(e) national load on PostgreSQL",
                    None, mem, info={"files": national_files})
    c_postgres = Measurement("c_postgres_correction_load",
                             "(c) on PostgreSQL: + 1 corrected report", None, mem)
    d = Measurement("d_demo_load", "(d) demo inbox (14 units), empty warehouse",
                    TARGETS["d_seconds"], mem, info={"files": used["demo"]["files"]})

    log(f"(b) floor on {national_files} files ...")
    b, floor = measure_floor(folders["national"], runs)
    log(f"    {seconds(b.median)} s (parse {seconds(b.info.get('parse_seconds_median'))} s, "
        f"SQL {seconds(b.info.get('sql_seconds_median'))} s)")
    national_and_correction(national, folders["national"], correction, floor,
                            work_root=work_root, count=runs, timeout=args.timeout,
                            keep=args.keep, log=log)
    postgres_national(e, folders["national"], floor, work_root=work_root, count=runs,
                      timeout=args.timeout, keep=args.keep, log=log,
                      corrections=(c_postgres, correction))
    repeated_loads(d, folders["demo"], work_root / "demo", scope="cluster", runs=runs,
                   timeout=args.timeout, keep=args.keep, log=log,
                   what="tuphap load (demo inbox, cluster scope)")
    f = new_measurement()
    measure_service(f, folders["demo"], work_root, runs=runs, keep=args.keep, log=log)
    f_mail = new_mail_measurement()
    measure_mailed_report(f_mail, folders["demo"], work_root, runs=runs, keep=args.keep,
                          log=log)
    g = new_report_measurement()
    measure_reports(g, folders["demo"], work_root, runs=runs, keep=args.keep, log=log)
    h = new_messages_measurement()
    measure_messages(h, folders["national"], correction, work_root, runs=runs, keep=args.keep,
                     log=log)
    measurements = [national.a, b, national.c, d, e, c_postgres, f, f_mail, g, h]
    scaling = None
    if with_scale4:
        more, scaling = scale4(folders["national4"], used["national4"]["files"], national.a, b,
                               floor, national_files=national_files, memory_target=mem,
                               work_root=work_root, count=runs, timeout=args.timeout,
                               keep=args.keep, log=log)
        measurements += more
    shutil.rmtree(folders["correction"], ignore_errors=True)

    settings = {"runs": runs, "quick": args.quick, "scale4": with_scale4, "started_at": started,
                "load_average_at_start": load_at_start,
                "timeout_seconds": args.timeout, "targets": TARGETS,
                "linear_tolerance": LINEAR_TOLERANCE}
    return results_document(machine_info(), settings, measurements, inputs_used=used,
                            floor_check=national.floor_check, scaling=scaling)


def _reports_only(args: argparse.Namespace, log: Log) -> dict:
    """(g) alone: the yearly reports of the demo inbox."""
    cache = Path(args.cache).resolve()
    runs = 1 if args.quick else args.runs
    demo = inputs.ensure_demo(cache)
    g = new_report_measurement()
    measure_reports(g, demo, cache / "runs", runs=runs, keep=args.keep, log=log)
    settings = {"runs": runs, "quick": args.quick, "reports_only": True,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "targets": TARGETS}
    return results_document(machine_info(), settings, [g],
                            inputs_used={"demo": inputs.inputs_info(demo)})


def _messages_only(args: argparse.Namespace, log: Log) -> dict:
    """(h) alone: the units' messages of a national load and of a correction."""
    cache = Path(args.cache).resolve()
    runs = 1 if args.quick else args.runs
    used, folders, correction = _inputs(cache, False, log)
    h = new_messages_measurement()
    measure_messages(h, folders["national"], correction, cache / "runs", runs=runs,
                     keep=args.keep, log=log)
    shutil.rmtree(folders["correction"], ignore_errors=True)
    settings = {"runs": runs, "quick": args.quick, "messages_only": True,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "targets": TARGETS}
    return results_document(machine_info(), settings, [h], inputs_used=used)


def _mail_only(args: argparse.Namespace, log: Log) -> dict:
    """(f) for a mailed report alone, on the demo inbox."""
    cache = Path(args.cache).resolve()
    runs = 1 if args.quick else args.runs
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    demo = inputs.ensure_demo(cache)
    f_mail = new_mail_measurement()
    measure_mailed_report(f_mail, demo, cache / "runs", runs=runs, keep=args.keep, log=log)
    settings = {"runs": runs, "quick": args.quick, "mail_only": True, "started_at": started,
                "load_average_at_start": load_at_start, "targets": TARGETS}
    return results_document(machine_info(), settings, [f_mail],
                            inputs_used={"demo": inputs.inputs_info(demo)})


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
    parser.add_argument("--reports-only", action="store_true",
                        help="measure only (g), the yearly reports (results to --results)")
    parser.add_argument("--messages-only", action="store_true",
                        help="measure only (h), the units' messages (results to --results)")
    parser.add_argument("--mail-only", action="store_true",
                        help="measure only (f) for a mailed report: mailbox to published and"
                             " receipted (results to --results)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's warehouse folder under <cache>/runs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    telemetry_off()
    doc = run_benchmark(args)
    results = Path(args.results)
    if args.reports_only and results == RESULTS_FILE:  # the full run's results stay
        results = RESULTS_FILE.with_name("results-reports.json")
    if args.messages_only and results == RESULTS_FILE:
        results = RESULTS_FILE.with_name("results-messages.json")
    if args.mail_only and results == RESULTS_FILE:
        results = RESULTS_FILE.with_name("results-mail.json")
    path = write_results(doc, results)
    print()
    print(format_table(doc))
    print(f"\nresults: {path}")
    failed_runs = any(m["errors"] for m in doc["measurements"].values())
    if failed_runs or (args.strict and not doc["pass"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

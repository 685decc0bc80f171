"""(h) The units' messages: seconds the correspondence step (orchestration/correspondence,
the load's `unit_messages`) adds to a national load and to a correction.

The national inbox is loaded (not timed) into a fresh warehouse; a register gives every unit
of the country an officer (`.example` addresses); then, in a fresh process, the receipt pass
runs against a real SMTP server on 127.0.0.1 (aiosmtpd, accepting everything) as if the
register had been in force before the load: every unit's receipt of every file (one message
per unit, ~126). The corrected report is then loaded (not timed) and the pass timed again: one
unit's receipt, with the figures it changed. Target: under 2 s each.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks import inputs
from benchmarks.loads import Log, load_env, measure_load, warehouse_of, workdir
from benchmarks.report import seconds
from benchmarks.results import Measurement

TARGET_SECONDS = 2.0
_TIMER = """
import asyncio, json, sys, threading, time
from datetime import UTC, datetime
from pathlib import Path
from aiosmtpd.smtp import SMTP
from ingest.reference import load_registry
from orchestration.correspondence.run import Settings, send_receipts
from orchestration.quality.alerts import SmtpChannel
from orchestration.warehouse.engine import engine_for

class Accept:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Accept.count += 1
        return "250 OK"

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()
server = asyncio.run_coroutine_threadsafe(loop.create_server(
    lambda: SMTP(Accept(), hostname="bench.test"), "127.0.0.1", 0), loop).result(10)
port = server.sockets[0].getsockname()[1]
smtp = SmtpChannel(host="127.0.0.1", port=port, sender="tuphap@bench.example",
                   recipients=(), starttls=False)
settings = Settings(Path(sys.argv[2]), smtp, load_registry())
started = time.perf_counter()
outcome = send_receipts(engine_for(sys.argv[1]), settings, datetime.now(UTC),
                        started_at=datetime(2000, 1, 1, tzinfo=UTC))
print(json.dumps({"seconds": time.perf_counter() - started, "messages": outcome.sent.messages,
                  "units": len(outcome.sent.units), "accepted": Accept.count,
                  "failed": len(outcome.sent.failed)}))
"""


def new_measurement() -> Measurement:
    return Measurement("h_unit_messages", "(h) units' messages of a national load, seconds",
                       TARGET_SECONDS, None)


def write_register(path: Path) -> int:
    """An officer for every unit of the country: `canbo.<code>@bench.example`."""
    from ingest.reference import load_registry

    codes = sorted({unit.unit_code for unit in load_registry().units})
    rows = ["unit_code,email,name,role,valid_from,valid_to"]
    rows += [f"{code},canbo.{code.lower()}@bench.example,Cán bộ,officer,01/01/2015,"
             for code in codes]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(codes)


def _timed_pass(folder: Path, register: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _TIMER, str(warehouse_of(folder)),
                           str(register)], cwd=inputs.PROJECT_ROOT, env=load_env(folder),
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-500:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_messages(m: Measurement, national: Path, correction: inputs.Correction,
                     work_root: Path, *, runs: int, keep: bool, log: Log) -> None:
    national_times, correction_times = [], []
    for i in range(runs):
        folder = workdir(work_root, "messages", first=True)
        inbox = inputs.link_inbox(national, folder / "inbox")
        log(f"(h) run {i + 1}/{runs}: loading the national inbox (not timed)")
        if not measure_load(inbox, folder, scope="national").ok:
            m.errors.append("the national load failed")
            return
        register = folder / "contacts.csv"
        units = write_register(register)
        try:
            first = _timed_pass(folder, register)
            shutil.copy2(correction.path, inbox / correction.path.name)
            if not measure_load(inbox, folder, scope="national").ok:
                m.errors.append("the correction load failed")
                return
            second = _timed_pass(folder, register)
        except RuntimeError as error:
            m.errors.append(f"run {i + 1}: {error}")
            return
        national_times.append(first["seconds"])
        correction_times.append(second["seconds"])
        # The target holds for both: a run's figure is the slower of the two.
        m.runs.append({"seconds": max(first["seconds"], second["seconds"]), "ok": True,
                       "register_units": units,
                       "national": first, "correction": second})
        log(f"    national: {seconds(first['seconds'])} s for {first['messages']} messages"
            f" to {first['units']} units; correction: {seconds(second['seconds'])} s for"
            f" {second['messages']} message(s)")
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    m.info["correction_median_seconds"] = round(statistics.median(correction_times), 3)
    m.info["national_median_seconds"] = round(statistics.median(national_times), 3)

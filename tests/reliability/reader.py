"""An analyst's session, as a separate process: read the published warehouse in a loop.

    python -m tests.reliability.reader WAREHOUSE OUT.jsonl STOPFILE

One read-only connection is held for the whole run (an open notebook), and every ~0.5 s a
fresh short-lived connection is opened too (someone re-running a query). Every observation is
one JSON line: which connection, the row counts of a few tables, or the error. Runs until
STOPFILE exists.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

QUERY = (
    "select (select count(*) from raw.received_files), (select count(*) from raw.submissions),"
    " (select count(*) from raw.submission_values), (select count(*) from main.fct_enforcement),"
    " (select count(*) from main.rejected_reports),"
    " (select coalesce(sum(cases_resolved), 0) from main.fct_enforcement)"
)


def observe(con: duckdb.DuckDBPyConnection) -> list:
    return [int(x) for x in con.execute(QUERY).fetchone()]


def main(warehouse: str, out: str, stop: str) -> None:
    held = duckdb.connect(warehouse, read_only=True)
    with open(out, "a", encoding="utf-8") as sink:
        def record(kind: str, action) -> None:  # noqa: ANN001
            entry: dict = {"t": time.time(), "conn": kind}
            try:
                entry["counts"] = action()
            except Exception as exc:  # noqa: BLE001 - the test asserts there are none
                entry["error"] = f"{type(exc).__name__}: {exc}"
            sink.write(json.dumps(entry) + "\n")
            sink.flush()

        def fresh() -> list:
            con = duckdb.connect(warehouse, read_only=True)
            try:
                return observe(con)
            finally:
                con.close()

        last_fresh = 0.0
        while not Path(stop).exists():
            record("held", lambda: observe(held))
            if time.monotonic() - last_fresh >= 0.5:
                record("fresh", fresh)
                last_fresh = time.monotonic()
            time.sleep(0.05)
        record("held", lambda: observe(held))
        record("fresh", fresh)
    held.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])

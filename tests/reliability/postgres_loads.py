"""The story the PostgreSQL reliability tests read (test_postgres_loads.py): real `tuphap load`
processes against a server this module owns, killed, run twice at once, read during, and cut
off by the server stopping. One story keeps them cheap: about five loads in all.

On a server started for the module (start_server(), so a test may stop it):
- `reference`: one clean load of the whole inbox into its own database, with the password in
  the warehouse URL (the story's loads take it from PGPASSWORD); run beside step 1.
- the story's database, handed over by a DBA (tests/postgres/warehouse.py):
  1. two loads of part of the inbox started at once: one publishes, one refuses;
  2. a load of the whole inbox SIGKILLed while dbt builds;
  3. one SIGKILLed inside the publishing transaction, after it renamed the schemas: the
     publish is held there by a row lock the test takes on the build's `tuphap_meta.builds`
     row (and, until then, by a lock on the issue history, so it cannot slip past);
  4. one cut off by the server stopping (fast shutdown) while dbt builds; the server restarts;
  5. the next load, while an analyst holds a READ COMMITTED transaction open and asks for the
     yearly totals every 50 ms; the analyst then ends;
  6. a load of a larger inbox SIGKILLed while it parses the new files (after it dropped the
     schema the analyst had held).
After each fault the published content, the build schemas and the load lock are recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ingest.sample import SampleManifest
from tests.postgres.warehouse import ServerWarehouse, create_server_warehouse
from tests.postgres_server import PostgresServer, start_server
from tests.reliability.conftest import (
    INIT_INSTANCE,
    ROOT,
    LoadProcess,
    alive,
    file_sha256,
    isolated_env,
    start,
    wait_all,
    wait_for,
)
from tests.reliability.postgres_story import (
    Analyst,
    Probe,
    restart_server,
    stop_server,
)

STEP_TIMEOUT = 300.0


@dataclass
class Fault:
    """One load stopped at one point (killed, or its server stopped), and what was found."""

    point: str
    load: LoadProcess
    content_after: dict[str, list[str]]
    build_schemas_after: list[str]
    lock_free_after: bool
    orphans_alive: list[int] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class PostgresStory:
    server: PostgresServer
    warehouse: ServerWarehouse
    reference_warehouse: ServerWarehouse
    base: Path
    inbox_part: Path
    reference: LoadProcess
    reference_content: dict[str, list[str]]
    first: list[LoadProcess]
    content_before: dict[str, list[str]]
    builds_published_first: list[int]
    faults: dict[str, Fault]
    rerun: LoadProcess
    content_after_rerun: dict[str, list[str]]
    build_schemas_after_rerun: list[str]
    retired_while_analyst_held: list[str]
    analyst: Analyst
    totals_before: tuple[int, ...]
    totals_after: tuple[int, ...]
    loads: list[LoadProcess]
    timings: dict[str, float]


def _inboxes(sample: SampleManifest, base: Path) -> dict[str, Path]:
    """part: the good files of 2022; whole: part and every file of 2023 (one is rejected, two
    carry planted issues); more: whole and the good files of 2024. Hard links: same files."""
    chosen = {
        "part": lambda e: e.year == 2022 and not e.flawed,
        "whole": lambda e: (e.year == 2022 and not e.flawed) or e.year == 2023,
        "more": lambda e: (e.year in (2022, 2024) and not e.flawed) or e.year == 2023,
    }
    inboxes = {}
    for name, wanted in chosen.items():
        inboxes[name] = base / name
        inboxes[name].mkdir(parents=True)
        for entry in sample:
            if wanted(entry):
                os.link(sample.out_dir / entry.file_name, inboxes[name] / entry.file_name)
    return inboxes


def _environment(base: Path, inbox: Path, warehouse: ServerWarehouse, *,
                 quiet: bool = False) -> dict[str, str]:
    """A load's environment: the story's Dagster instance and local folder, the warehouse's
    address and password (PGPASSWORD). `quiet`: the default log level, as the data team runs
    it (otherwise each step's progress on stderr, for failure messages)."""
    env = {**isolated_env(base, inbox), **warehouse.environment(),
           "TUPHAP_LOCAL_DIR": str(base / "local")}
    if quiet:
        env.pop("TUPHAP_LOG_LEVEL")
    return env


@pytest.fixture(scope="module")
def postgres_story(tmp_path_factory: pytest.TempPathFactory, sample: SampleManifest,
                   started_processes: list[LoadProcess]) -> Iterator[PostgresStory]:
    began = time.monotonic()
    base = tmp_path_factory.mktemp("postgres-loads")
    inboxes = _inboxes(sample, base / "inboxes")
    logs = base / "logs"
    server = start_server()
    analyst: Analyst | None = None
    try:
        story_warehouse = create_server_warehouse(server)
        reference_warehouse = create_server_warehouse(server)
        probe, reference_probe = Probe(story_warehouse), Probe(reference_warehouse)
        build_folder = base / "local" / f"127.0.0.1-{server.port}-{story_warehouse.database}" \
            / ".build"
        env = _environment(base, inboxes["whole"], story_warehouse)
        subprocess.run([sys.executable, "-c", INIT_INSTANCE], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
        timings: dict[str, float] = {}
        loads: list[LoadProcess] = []

        def launch(name: str, inbox: str, *, quiet: bool = False,
                   warehouse: ServerWarehouse = story_warehouse) -> LoadProcess:
            load = start(name, ["load"], _environment(base, inboxes[inbox], warehouse,
                                                      quiet=quiet), logs)
            started_processes.append(load)
            loads.append(load)
            return load

        # The reference: the password in the URL, not in PGPASSWORD.
        reference_env = {**_environment(base, inboxes["whole"], reference_warehouse),
                         "TUPHAP_WAREHOUSE": reference_warehouse.url_with_password}
        reference_env.pop("PGPASSWORD")
        reference = start("reference", ["load"], reference_env, logs)
        started_processes.append(reference)
        loads.append(reference)

        # 1. Two loads at once on the empty database.
        first = [launch(f"first-{i}", "part", quiet=True) for i in (1, 2)]
        wait_all(first, STEP_TIMEOUT)
        timings["two loads at once"] = time.monotonic() - began
        content_before = probe.content()
        totals_before = probe.analyst_totals()
        builds_published_first = probe.published_builds()

        faults: dict[str, Fault] = {}

        def after(point: str, load: LoadProcess, **notes: Any) -> Fault:
            fault = Fault(point, load, probe.content(), probe.build_schemas(),
                          probe.lock_is_free(), notes=dict(notes))
            faults[point] = fault
            return fault

        # 2. Killed while dbt builds.
        last = probe.last_build()
        load = launch("kill-dbt", "whole")
        wait_for(lambda: probe.build_started_after(last), "its build", load, STEP_TIMEOUT, 0.1)
        wait_for(lambda: probe.dbt_relations() >= 3, "dbt building", load, STEP_TIMEOUT, 0.1)
        load.kill()
        dbt_orphans = load.orphans_for(build_folder)
        after("dbt running", load)

        # 3. Killed inside the publishing transaction, after the renames.
        history_lock = psycopg.connect(server.url(story_warehouse.database))
        history_lock.execute("lock table tuphap_meta.dq_issues in share mode")
        last = probe.last_build()
        load = launch("kill-publish", "whole")
        wait_for(lambda: probe.build_started_after(last), "its build", load, STEP_TIMEOUT, 0.1)
        orphans_alive = [pid for pid, started in dbt_orphans.items() if alive(pid, started)]
        build_id = probe.last_build()
        history_pid = history_lock.info.backend_pid
        wait_for(lambda: bool(probe.blocked_by(history_pid)), "the publish", load,
                 STEP_TIMEOUT, 0.05)
        row_lock = psycopg.connect(server.url(story_warehouse.database))
        row_lock.execute("select 1 from tuphap_meta.builds where build_id = %s for update",
                         [build_id])
        history_lock.commit()
        history_lock.close()
        row_pid = row_lock.info.backend_pid
        wait_for(lambda: bool(probe.blocked_by(row_pid)), "the renames", load, STEP_TIMEOUT,
                 0.02)
        # Killed at once (the publish gives up after its lock_timeout); its server session
        # keeps waiting, the renames uncommitted, until the row lock goes: look meanwhile.
        load.kill()
        waiting = probe.blocked_by(row_pid)
        schemas_during = probe.schemas()
        totals_during = probe.analyst_totals()
        row_lock.rollback()
        row_lock.close()
        gone = time.monotonic() + STEP_TIMEOUT  # a ceiling: the server notices in a moment
        while probe.loader_sessions() and time.monotonic() < gone:
            time.sleep(0.05)
        after("inside the publish, after the renames", load, waiting=waiting,
              schemas_during=sorted(schemas_during), totals_during=totals_during,
              build_id=build_id, dbt_orphans_alive_when_next_build_ready=orphans_alive,
              published_builds=probe.published_builds())

        # 4. The server stops while dbt builds; it restarts.
        reference.wait(STEP_TIMEOUT)
        reference_content = reference_probe.content()
        last = probe.last_build()
        load = launch("server-stopped", "whole", quiet=True)
        wait_for(lambda: probe.build_started_after(last), "its build", load, STEP_TIMEOUT, 0.1)
        wait_for(lambda: probe.dbt_relations() >= 3, "dbt building", load, STEP_TIMEOUT, 0.1)
        stop_server(server)
        stopped = time.monotonic()
        # It must end by itself while the server is down (it is restarted only afterwards);
        # the wait's ceiling only keeps a load that hangs from hanging the run.
        load.wait(STEP_TIMEOUT)
        failed_after = time.monotonic() - stopped  # for the report only
        restart_server(server)
        after("server stopped while dbt builds", load, failed_after=failed_after)

        # 5. The next load, while an analyst holds a transaction open.
        analyst = Analyst(story_warehouse)
        analyst.start()
        rerun = launch("rerun", "whole")
        rerun.wait(STEP_TIMEOUT)
        analyst.wait_for_answers(2)  # the second began after the publish
        analyst.stop_asking()
        retired_held = probe.retired_schemas()
        analyst.end()
        content_after_rerun = probe.content()
        build_schemas_after_rerun = probe.build_schemas()
        totals_after = probe.analyst_totals()

        # 6. A larger inbox, killed while it parses the new files.
        archive = build_folder.parent / "archive"
        contents = len({file_sha256(path) for path in inboxes["more"].iterdir()})
        last = probe.last_build()
        load = launch("kill-ingest", "more")
        wait_for(lambda: probe.build_started_after(last), "its build", load, STEP_TIMEOUT, 0.1)
        wait_for(lambda: sum(1 for _ in archive.glob("??/*")) >= contents, "the archive", load,
                 STEP_TIMEOUT)
        time.sleep(0.3)
        retired_at_kill = probe.retired_schemas()
        load.kill()
        after("parsing new files", load, retired_at_kill=retired_at_kill)

        timings["story"] = time.monotonic() - began
        yield PostgresStory(
            server, story_warehouse, reference_warehouse, base, inboxes["part"], reference,
            reference_content, first, content_before, builds_published_first, faults, rerun,
            content_after_rerun, build_schemas_after_rerun, retired_held, analyst,
            totals_before, totals_after, loads, timings)
    finally:
        if analyst is not None:
            analyst.end()
        server.stop()

"""Test-suite wide hooks."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from ingest.reference import Registry, load_registry
from orchestration.runtime.preload import PreloadServer
from orchestration.runtime.preload_client import PRELOAD_ENV
from tests.postgres_programs import remove_shared_tree, share_server_tree

_SERVER_TREE = pytest.StashKey[Path | None]()
_PRELOAD = pytest.StashKey[PreloadServer | None]()


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The project's unit register (dbt_project/seeds), read once."""
    return load_registry()


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project first if its manifest is missing or stale, as `make setup` and
    `tuphap load` do: test modules import the dbt assets, which read the manifest (importing
    the code never prepares it). Under xdist the controller is configured before it starts
    its workers, so they find the manifest fresh, and the copy of PostgreSQL's server tree
    that `nobody` runs when the suite runs as root (tests/postgres_programs.py), made once here
    for the whole run."""
    from orchestration.dbt.project import prepare_if_stale

    _sigint_as_from_a_terminal()
    config.stash[_PRELOAD] = server = _start_preload_server(config)
    prepare_if_stale()
    config.stash[_SERVER_TREE] = share_server_tree()
    if server is not None:
        _wait_until_ready(server)


def _sigint_as_from_a_terminal() -> None:
    """A suite started in the background of a script has SIGINT ignored, and Dagster gives
    SIGTERM SIGINT's disposition after each job run in process (orchestration/cli/signals.py):
    every process a test started then would ignore SIGTERM, and a test that stops one with it
    would wait out its grace period (test_leftovers: 300 s, seen in two suites at once). The
    suite's processes (workers, and the preload server started here) take SIGINT as a
    terminal's would."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    remove_shared_tree(config.stash.get(_SERVER_TREE, None))
    server = config.stash.get(_PRELOAD, None)
    if server is not None:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each xdist_group together under `pytest -n 2 --dist loadgroup`, the longest
    groups first (GROUP_SECONDS).

    pytest-xdist 3.8 marks a grouped test by renaming `item._nodeid`; pytest 9 builds the node
    id from `item._id`, so the rename has no effect and a group's tests were spread over both
    workers, each running the group's shared fixtures (full loads, dbt builds) again.
    """
    _check_shared_loads(items)
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers for loadgroup
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # an older pytest, where xdist's own rename works
        return
    for item in items:
        if "@" in item.nodeid:
            continue
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if names:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")  # noqa: SLF001
    items.sort(key=_longest_first)


# How long each long xdist group takes, in seconds (`--durations`, 7 December 2026, the suite
# beside three others on 2 cores: the ratios are what counts). The groups go to the workers
# longest first (pyproject's --no-loadscope-reorder keeps this order; xdist would order them by
# their number of tests), so that a long story never starts last on one worker while the other
# runs out of work: the many short tests fill the end.
GROUP_SECONDS = {
    "selective_loads": 530, "reliability_loads": 520, "reliability_postgres_loads": 400,
    "service": 320, "e2e": 300, "e2e_targets": 220, "tuphap_quality_dbt": 130,
    "export_real_load": 110, "dbt_postgres_quality": 105, "dbt": 100, "e2e_national": 90,
    "ingest_sample": 50, "tuphap_correspondence": 250, "correspondence_killed": 130,
    "postgres_selective": 70,
    "mailbox_story": 95, "mailbox_postgres": 75,
}


# Session fixtures that load a warehouse, and the xdist group whose worker makes each: a test
# outside that group would make the whole load again on the other worker (~80 s each).
SHARED_LOAD_GROUPS = {
    "demo_load": "e2e", "pg_demo_load": "e2e", "pg_second_load": "e2e", "published": "e2e",
    "sample_with_mail": "tuphap_correspondence", "reference_load": "reliability_loads",
    "kill_story": "reliability_loads", "clean_warehouse": "tuphap_quality_dbt",
    "violations_warehouse": "tuphap_quality_dbt",
}


def _check_shared_loads(items: list[pytest.Item]) -> None:
    """Refuse a test that takes a shared load outside the load's xdist group."""
    wrong = []
    for item in items:
        groups = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                  for mark in item.iter_markers("xdist_group")}
        needed = {SHARED_LOAD_GROUPS[name] for name in getattr(item, "fixturenames", ())
                  if name in SHARED_LOAD_GROUPS}
        if needed - groups:
            wrong.append(f"{item.nodeid}: mark it xdist_group({', '.join(sorted(needed))})")
    if wrong:
        raise pytest.UsageError("tests taking a shared load outside its xdist group:\n"
                                + "\n".join(wrong))


def _longest_first(item: pytest.Item) -> tuple[int, str]:
    group = item.nodeid.rpartition("@")[2] if "@" in item.nodeid else ""
    return -GROUP_SECONDS.get(group, 0), group if group in GROUP_SECONDS else ""


def _start_preload_server(config: pytest.Config) -> PreloadServer | None:
    """One preload server for the run (orchestration/runtime/preload.py), as `make serve`
    runs one for the service: the suite's ~50 real loads then fork their Great Expectations
    worker and warm dbt process from it instead of importing GX and dbt again (~6,5 s of CPU
    each). Started by pytest's first process, always its own (not one a TUPHAP_PRELOAD of the
    shell names); xdist's workers, and the loads they start, inherit TUPHAP_PRELOAD."""
    if hasattr(config, "workerinput"):
        return None
    from deploy.serve import preload_warm_ups

    server = PreloadServer.start(warm_ups=preload_warm_ups())
    os.environ[PRELOAD_ENV] = str(server.socket_path)
    return server


def _wait_until_ready(server: PreloadServer) -> None:
    """Every load of the run forks its worker from the server (tests/e2e/test_load.py says
    so of the demo load): wait for its imports (~5 s), before any test starts."""
    if not server.wait_ready():
        server.stop()
        raise pytest.UsageError(
            f"the preload server did not start (exit status {server.process.returncode}): see "
            "orchestration/runtime/preload.py, and run `python -m orchestration.runtime.preload"
            " --warm-up orchestration.quality.evaluate:warm_up --warm-up"
            " orchestration.runtime.dbt_warm_up:warm_up --socket \"$(mktemp -d)/s\"`")

"""Test-suite wide hooks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.reference import Registry, load_registry
from orchestration.runtime.preload import PreloadServer
from orchestration.runtime.preload_client import PRELOAD_ENV, qualified_name
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

    config.stash[_PRELOAD] = server = _start_preload_server(config)
    prepare_if_stale()
    config.stash[_SERVER_TREE] = share_server_tree()
    if server is not None:
        _wait_until_ready(server)


def pytest_unconfigure(config: pytest.Config) -> None:
    remove_shared_tree(config.stash.get(_SERVER_TREE, None))
    server = config.stash.get(_PRELOAD, None)
    if server is not None:
        server.stop()


def _start_preload_server(config: pytest.Config) -> PreloadServer | None:
    """One preload server for the run (orchestration/runtime/preload.py), as `make serve`
    runs one for the service: the suite's ~50 real loads then fork their Great Expectations
    worker from it instead of importing GX again (~4,5 s of CPU each). Started by pytest's
    first process, always its own (not one a TUPHAP_PRELOAD of the shell names); xdist's
    workers, and the loads they start, inherit TUPHAP_PRELOAD."""
    if hasattr(config, "workerinput"):
        return None
    from orchestration.quality.evaluate import warm_up

    server = PreloadServer.start(warm_up=qualified_name(warm_up))
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
            " --warm-up orchestration.quality.evaluate:warm_up --socket \"$(mktemp -d)/s\"`")

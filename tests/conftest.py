"""Test-suite wide hooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.reference import Registry, load_registry
from tests.postgres_programs import remove_shared_tree, share_server_tree

_SERVER_TREE = pytest.StashKey[Path | None]()


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

    prepare_if_stale()
    config.stash[_SERVER_TREE] = share_server_tree()


def pytest_unconfigure(config: pytest.Config) -> None:
    remove_shared_tree(config.stash.get(_SERVER_TREE, None))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each xdist_group together under `pytest -n 2 --dist loadgroup`.

    pytest-xdist 3.8 marks a grouped test by renaming `item._nodeid`; pytest 9 builds the node
    id from `item._id`, so the rename has no effect and a group's tests were spread over both
    workers, each running the group's shared fixtures (full loads, dbt builds) again.
    """
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

"""Test-only: hold a load just before it publishes, so that a test can kill it right there, or
look around while it holds the warehouse and then let it publish.

tests/reliability/conftest.py (`held_at_publish`) puts this folder first on the PYTHONPATH of a
load (or of the service, whose run workers inherit it), with HOLD_AT_PUBLISH naming a marker
file. When that process imports orchestration.warehouse.duckdb, WarehouseBuild.publish is
wrapped: it creates the marker, then waits until the test kills the load or, when
RELEASE_PUBLISH names a file, until that file exists, and then publishes. The product has no
hook for this; without the variable, nothing is changed.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

HOLD_AT_PUBLISH = "TUPHAP_TEST_HOLD_AT_PUBLISH"
RELEASE_PUBLISH = "TUPHAP_TEST_RELEASE_PUBLISH"
MODULE = "orchestration.warehouse.duckdb"
HOLD_SECONDS = 3600.0  # the test kills or releases the load long before


def _held(publish: Callable[..., object]) -> Callable[..., object]:
    def held_publish(*args: object, **kwargs: object) -> object:
        Path(os.environ[HOLD_AT_PUBLISH]).touch()
        release = os.environ.get(RELEASE_PUBLISH)
        deadline = time.monotonic() + HOLD_SECONDS
        while time.monotonic() < deadline:
            if release and Path(release).exists():
                return publish(*args, **kwargs)
            time.sleep(0.05)
        raise RuntimeError("held at publish, and neither released nor killed")

    return held_publish


class _HoldAtPublish(importlib.abc.MetaPathFinder):
    """Finds MODULE with the other finders and patches it once its code has run."""

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name != MODULE:
            return None
        sys.meta_path.remove(self)  # once is enough, and the real spec is the others' to find
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            module.WarehouseBuild.publish = _held(module.WarehouseBuild.publish)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if os.environ.get(HOLD_AT_PUBLISH):
    sys.meta_path.insert(0, _HoldAtPublish())

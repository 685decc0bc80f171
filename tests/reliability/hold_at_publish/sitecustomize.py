"""Test-only: hold a load just before it publishes, so that a test can kill it right there.

tests/reliability/conftest.py puts this folder first on the PYTHONPATH of one load, with
HOLD_AT_PUBLISH naming a marker file. When that load imports orchestration.warehouse.duckdb,
WarehouseBuild.publish is replaced: it creates the marker, then sleeps until the test kills the
load. The product has no hook for this; without the variable, nothing is changed.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import time
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

HOLD_AT_PUBLISH = "TUPHAP_TEST_HOLD_AT_PUBLISH"
MODULE = "orchestration.warehouse.duckdb"
HOLD_SECONDS = 3600.0  # the test kills the load long before


def _held_publish(*args: object, **kwargs: object) -> object:
    Path(os.environ[HOLD_AT_PUBLISH]).touch()
    time.sleep(HOLD_SECONDS)
    raise RuntimeError("held at publish, and not killed")


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
            module.WarehouseBuild.publish = _held_publish

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if os.environ.get(HOLD_AT_PUBLISH):
    sys.meta_path.insert(0, _HoldAtPublish())

"""dagster-dbt, imported without dbt-core: the Dagster process only starts dbt and reads its log.

dbt runs in its own process (orchestration/dbt_warm.py); the Dagster process starts it and turns
its JSON log lines into events. dagster-dbt imports dbt-core when it can, for enum types and an
in-process selection engine, and works without it (as beside dbt Fusion, which has no Python
package). Importing dbt-core costs ~2,8 s of CPU at the start of every load, on the path to the
first asset, so this project imports dagster-dbt from here, with `dbt` hidden while it loads.

What that gives up: a `@dbt_assets(select=...)` other than the whole project would need the dbt
CLI to evaluate it (dagster-dbt says so); this project selects the whole project and hands
selections to the dbt process. The preparer below parses without a dbt adapter in this process.
If dbt was imported before this module, nothing is hidden and dagster-dbt uses it.
"""

import importlib.abc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType


class _HiddenPackage(importlib.abc.MetaPathFinder):
    """Makes `import <package>` (and its submodules) fail as if it were not installed."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname == self.package or fullname.startswith(self.package + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (hidden)", name=fullname)
        return None


@contextmanager
def hidden(package: str) -> Iterator[None]:
    """While the block runs, imports of a not-yet-imported `package` fail."""
    if package in sys.modules:
        yield
        return
    finder = _HiddenPackage(package)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


with hidden("dbt"):
    from dagster_dbt import (
        DagsterDbtProjectPreparer,
        DagsterDbtTranslator,
        DagsterDbtTranslatorSettings,
        DbtCliResource,
        DbtProject,
        dbt_assets,
    )

__all__ = [
    "DagsterDbtProjectPreparer",
    "DagsterDbtTranslator",
    "DagsterDbtTranslatorSettings",
    "DbtCliResource",
    "DbtProject",
    "dbt_assets",
    "hidden",
]

"""The dbt project, and its manifest prepared before Dagster reads it (never at import).

Dagster builds the dbt assets from dbt's manifest.json. Who prepares it:
- `dagster dev`: `prepare_if_dev()` (dagster-dbt's pattern: it acts only under `dagster dev`),
  when the code location loads;
- everything else: `prepare_if_stale()`, called by setup (`make setup`, `tuphap prepare`),
  by `tuphap load`, and when Dagster loads the code location (orchestration/definitions.py).
  A manifest older than the project's files is parsed again: a stale one would describe
  yesterday's models.
Parsing runs `dbt parse` in a subprocess (LeanProjectPreparer): no dbt-core in this process.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration import settings

if TYPE_CHECKING:
    from orchestration.runtime.vendor import DbtProject

# The venv's dbt, whether or not the venv's bin folder is on PATH (e.g. `.venv/bin/tuphap`).
VENV_DBT = Path(sys.executable).parent / "dbt"
SOURCE_FOLDERS = ("models", "macros", "seeds", "tests")
SOURCE_PATTERNS = ("*.sql", "*.yml", "*.csv", "*.md")


@functools.cache
def project() -> DbtProject:
    """The project's DbtProject (cached): dagster-dbt's description of dbt_project/, prepared
    with LeanProjectPreparer. Reads dbt_project.yml; writes nothing."""
    from orchestration.runtime.vendor import DbtProject, LeanProjectPreparer, with_preparer

    described = DbtProject(project_dir=settings.DBT_PROJECT_DIR,
                           profiles_dir=settings.DBT_PROJECT_DIR)
    return with_preparer(described, LeanProjectPreparer(dbt_executable=VENV_DBT))


def newest_source_mtime(project_dir: Path) -> float:
    """When a file dbt parses last changed."""
    mtimes = [project_dir.joinpath("dbt_project.yml").stat().st_mtime]
    for folder in SOURCE_FOLDERS:
        for pattern in SOURCE_PATTERNS:
            mtimes += [path.stat().st_mtime for path in (project_dir / folder).rglob(pattern)]
    return max(mtimes)


def manifest_is_stale(project_dir: Path = settings.DBT_PROJECT_DIR) -> bool:
    """Whether the manifest is missing or older than the project's files (standard library
    only: `make setup` asks this on every run, before importing Dagster)."""
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or manifest.stat().st_mtime < newest_source_mtime(project_dir)


def prepare_if_stale() -> bool:
    """Parse the dbt project when its manifest is missing or stale; whether it did."""
    if not manifest_is_stale():
        return False
    dbt_project = project()
    dbt_project.preparer.prepare(dbt_project)
    return True


def prepare_if_dev() -> None:
    """Parse the dbt project when running under `dagster dev` (dagster-dbt's pattern)."""
    project().prepare_if_dev()

"""What dbt reads from the environment during a load, defined once.

The dbt asset sets it for its `dbt build`, and a warm dbt process (runtime/warm_dbt.py)
parses the project under exactly the same values: the warehouse engine's profile values
(`WarehouseEngine.dbt_environment`, e.g. the DuckDB build file) and the scope. Standard library
only: the CLI uses it before it imports Dagster.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from ingest.constants import SCOPES
from orchestration.runtime.dbt_shim import WORKDIR_ENV

__all__ = ["DB_PATH_ENV", "SCOPE_ENV", "WORKDIR_ENV", "build_environment", "dbt_environment",
           "keep_parse", "kept_parses", "parse_cache_dir", "parse_cache_file", "parse_key"]

DB_PATH_ENV = "TUPHAP_DBT_DB_PATH"
# WORKDIR_ENV: the folder dbt runs in (the `tuphap-dbt` shim moves there). The DuckDB
# profile's path is relative to it, so the profile, which dbt hashes to decide whether a saved
# parse still holds, is the same for every warehouse of one file name.
SCOPE_ENV = "TUPHAP_SCOPE"


def dbt_environment(*, target: Mapping[str, str], scope: str) -> dict[str, str]:
    """What the dbt profile and models read from the environment during one load: the
    engine's profile values (`target`) and the scope."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    return {**target, SCOPE_ENV: scope}


def build_environment(*, target: Mapping[str, str], scope: str, project_dir: Path,
                      profiles_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the load's `dbt build`, as far as a parse of the project can tell:
    this process's, the load's dbt variables, and the folders dagster-dbt passes to dbt."""
    return {
        **(os.environ if base is None else base),
        **dbt_environment(target=target, scope=scope),
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": str(profiles_dir),
    }


def parse_key(environment: Mapping[str, str]) -> str:
    """What dbt's saved parse depends on in a dbt environment: the profile's DuckDB path (a
    file name when the engine runs dbt in the build's folder: one parse serves every warehouse
    of that name), or the server, database and role (never the password)."""
    if environment.get("TUPHAP_DBT_TARGET") == "postgres":
        return "postgres:" + "/".join(environment.get(name, "") for name in (
            "TUPHAP_PG_HOST", "TUPHAP_PG_PORT", "TUPHAP_PG_DATABASE", "TUPHAP_PG_USER"))
    return environment.get(DB_PATH_ENV, "")


PARSE_CACHE_FILES = 32  # warehouses whose dbt parse is kept (the newest used win; ~1 MB each)


def parse_cache_file(project_dir: Path, database: Path | str) -> Path:
    """Where dbt's partial parse of the project for the profile `database` (`parse_key`) is
    kept.

    dbt discards a saved parse when the profile's connection values differ (its
    `profile_hash`), so a parse is kept per profile: loading a PostgreSQL warehouse does not
    cost a DuckDB one a full parse (~6 s) on its next load. DuckDB warehouses share theirs: the
    profile holds only the file's name (WORKDIR_ENV), and the name is DuckDB's catalog, which
    the parsed relations name.
    """
    key = hashlib.sha256(str(database).encode()).hexdigest()[:16]
    return parse_cache_dir(project_dir) / f"{key}.msgpack"


def parse_cache_dir(project_dir: Path) -> Path:
    """The folder of the parses kept per profile (`parse_cache_file`)."""
    return project_dir / "target" / "partial_parse"


def kept_parses(folder: Path) -> list[Path]:
    """The parses kept in `folder`, newest first."""
    times = _modified_times(folder.glob("*.msgpack"))
    return sorted(times, key=times.__getitem__, reverse=True)


def keep_parse(produced: Path, kept: Path, *, prune: bool = False) -> None:
    """Save a parse dbt produced, atomically; with `prune`, forget all but the newest
    PARSE_CACHE_FILES parses kept beside it."""
    if not produced.exists():
        return
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_suffix(f".{os.getpid()}.partial")
    try:
        shutil.copyfile(produced, partial)
        os.replace(partial, kept)
    finally:
        partial.unlink(missing_ok=True)
    if prune:
        for old in kept_parses(kept.parent)[PARSE_CACHE_FILES:]:
            old.unlink(missing_ok=True)


def _modified_times(paths: Iterable[Path]) -> dict[Path, float]:
    """Each path's modification time; a path another load removed meanwhile is left out."""
    times: dict[Path, float] = {}
    for path in paths:
        try:
            times[path] = path.stat().st_mtime
        except FileNotFoundError:
            continue
    return times

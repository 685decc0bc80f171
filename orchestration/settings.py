"""Where things live and how they are configured: flags, then environment, then defaults.

The defaults make `make demo` work with no configuration; every path can be overridden with a
TUPHAP_* environment variable, which is also how the CLI hands its flags to the Dagster run.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "tuphap.duckdb"
DEFAULT_INBOX = PROJECT_ROOT / "data" / "inbox"
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"
SCOPES = ("cluster", "national")

# No internet here: a blocked telemetry call is only a delay.
TELEMETRY_OFF = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


def disable_telemetry() -> None:
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


def warehouse_path(value: str | None = None) -> Path:
    """The published warehouse file: flag, then TUPHAP_WAREHOUSE, then the project default."""
    return Path(value or os.environ.get("TUPHAP_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def inbox_path(value: str | None = None) -> Path:
    return Path(value or os.environ.get("TUPHAP_INBOX") or DEFAULT_INBOX).resolve()


def scope(value: str | None = None) -> str:
    chosen = (value or os.environ.get("TUPHAP_SCOPE") or "cluster").strip().lower()
    if chosen not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {chosen!r}")
    return chosen


def build_dir(warehouse: Path) -> Path:
    """Where a load writes its private copy of the warehouse (orchestration/warehouse.py)."""
    return warehouse.parent / ".build"


def build_file(warehouse: Path) -> Path:
    """The private copy a load writes. A stable name: one load at a time holds the lock, and
    the file's stem names DuckDB's catalog, which views and dbt's relations refer to."""
    return build_dir(warehouse) / warehouse.name


def logs_dir(warehouse: Path) -> Path:
    """The load log and the warm dbt process's log live next to the warehouse."""
    return warehouse.parent / "logs"


def archive_dir(warehouse: Path) -> Path:
    """The content-addressed archive of every received file lives beside the warehouse."""
    return warehouse.parent / "archive"


# dagster.yaml as earlier versions of the project wrote it: replaced by the current one.
_EARLIER_INSTANCE_CONFIGS = ("telemetry:\n  enabled: false\n",)
_INSTANCE_CONFIG_HEADER = "# Written by tuphap"
_INSTANCE_READY = ".storage-ready-v2"  # bump when instance_config changes


def instance_config(home: Path) -> str:
    """The project's dagster.yaml: no telemetry; the event log that keeps its SQLite
    connections open (orchestration/instance.py: ~12 ms -> ~2 ms an event)."""
    return (
        f"{_INSTANCE_CONFIG_HEADER} (orchestration/settings.py); see orchestration/instance.py.\n"
        "telemetry:\n"
        "  enabled: false\n"
        "event_log_storage:\n"
        "  module: orchestration.instance\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        # A JSON string is a YAML double-quoted scalar: any path (": ", "#") reads back as is.
        f"    base_dir: {json.dumps(str(home / 'history' / 'runs'))}\n"
    )


def dagster_home() -> Path:
    """A persistent Dagster instance, project-local unless DAGSTER_HOME says otherwise.

    Its dagster.yaml is the project's own (`instance_config`) unless someone wrote another
    (e.g. PostgreSQL storage for a shared deployment): that one is left alone.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    marker = home / _INSTANCE_READY
    if marker.exists():
        return home
    # Two loads creating a brand-new instance at once would write two schema versions into its
    # SQLite storage; create it once, under a lock.
    with open(home / ".storage.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            config = home / "dagster.yaml"
            current = config.read_text(encoding="utf-8") if config.exists() else None
            if current is None or current in _EARLIER_INSTANCE_CONFIGS or current.startswith(
                    _INSTANCE_CONFIG_HEADER):
                config.write_text(instance_config(home), encoding="utf-8")
            import dagster as dg

            with dg.DagsterInstance.get():
                pass
            marker.touch()
    return home

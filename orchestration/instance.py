"""The project's Dagster instance: where runs and their events are recorded, quickly.

`dagster_home()` makes a persistent instance (project-local unless DAGSTER_HOME says otherwise)
whose dagster.yaml turns telemetry off and configures the event log that keeps its SQLite
connections open (`PooledSqliteEventLogStorage`, in orchestration/vendor.py with the other
overrides of Dagster's internals: ~12 ms -> ~2 ms an event, and a load records ~300), so
`tuphap load`, `dagster dev` and the daemon all use it. The dagster.yaml names the class as
`orchestration.instance.PooledSqliteEventLogStorage`: it stays importable from here.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from orchestration.settings import DEFAULT_DAGSTER_HOME
from orchestration.vendor import PooledSqliteEventLogStorage

__all__ = ["PooledSqliteEventLogStorage", "dagster_home", "instance_config"]

# dagster.yaml as earlier versions of the project wrote it: replaced by the current one.
_EARLIER_INSTANCE_CONFIGS = ("telemetry:\n  enabled: false\n",)
_INSTANCE_CONFIG_HEADER = "# Written by tuphap"
_INSTANCE_READY = ".storage-ready-v2"  # bump when instance_config changes


def instance_config(home: Path) -> str:
    """The project's dagster.yaml: no telemetry; the event log that keeps its SQLite
    connections open."""
    return (
        f"{_INSTANCE_CONFIG_HEADER}; see orchestration/instance.py.\n"
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

"""The project's Dagster instance: where runs and their events are recorded, quickly.

`dagster_home()` makes a persistent instance (project-local unless DAGSTER_HOME says otherwise)
whose dagster.yaml turns telemetry off and configures the event log that keeps its SQLite
connections open (`PooledSqliteEventLogStorage`, in vendor.py with the other overrides of
Dagster's internals: ~12 ms -> ~2 ms an event, and a load records ~300), so `tuphap load`,
`make dev`, `make serve` and the daemon all use it. Standard library only: the CLI imports
this module before it decides to import Dagster.

That tuning is the embedded default's only. A dagster.yaml someone put in DAGSTER_HOME (the
service's deploy/dagster.yaml: PostgreSQL, a run queue, run monitoring) is used exactly as
written: nothing of this module is added to it, and the SQLite event log is never used for it.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from orchestration.settings import DEFAULT_DAGSTER_HOME

__all__ = [
    "REPORTS_TAG", "WAREHOUSE_TAG", "dagster_home", "describe_instance",
    "instance_config",
]

# dagster.yaml as earlier versions of the project wrote it: replaced by the current one.
_EARLIER_INSTANCE_CONFIGS = ("telemetry:\n  enabled: false\n",)
_INSTANCE_CONFIG_HEADER = "# Written by tuphap"
_INSTANCE_READY = ".storage-ready-v6"  # bump when instance_config changes
# The run tag the instance allows one run in progress per value of: every load carries the
# address of its warehouse in it (orchestration/automation/jobs.py; deploy/dagster.yaml).
WAREHOUSE_TAG = "tuphap/warehouse"
REPORTS_TAG = "tuphap/reports"  # likewise, the yearly reports' runs (automation/jobs.py)


def instance_config(home: Path) -> str:
    """The project's dagster.yaml: no telemetry; one queued load per warehouse at a time and
    compute logs whose mirror ends with the run (both as deploy/dagster.yaml); the event log
    that keeps its SQLite connections open."""
    return (
        f"{_INSTANCE_CONFIG_HEADER}; see orchestration/runtime/instance.py.\n"
        "telemetry:\n"
        "  enabled: false\n"
        "concurrency:\n"
        "  runs:\n"
        "    tag_concurrency_limits:\n"
        f"      - key: {WAREHOUSE_TAG}\n"
        "        value: {applyLimitPerUniqueValue: true}\n"
        "        limit: 1\n"
        f"      - key: {REPORTS_TAG}\n"
        "        value: {applyLimitPerUniqueValue: true}\n"
        "        limit: 1\n"
        "event_log_storage:\n"
        "  module: orchestration.runtime.vendor\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        # A JSON string is a YAML double-quoted scalar: any path (": ", "#") reads back as is.
        f"    base_dir: {json.dumps(str(home / 'history' / 'runs'))}\n"
        "compute_logs:\n"
        "  module: orchestration.runtime.compute_logs\n"
        "  class: TiedComputeLogManager\n"
        "  config:\n"
        f"    base_dir: {json.dumps(str(home / 'storage'))}\n"
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
            if is_embedded(home):
                config.write_text(instance_config(home), encoding="utf-8")
            import dagster as dg

            with dg.DagsterInstance.get():
                pass
            marker.touch()
    return home


def is_embedded(home: Path) -> bool:
    """Whether the instance in `home` is the project's embedded one (its dagster.yaml is
    ours, or not written yet), rather than a configuration someone wrote."""
    config = home / "dagster.yaml"
    if not config.exists():
        return True
    current = config.read_text(encoding="utf-8")
    return current in _EARLIER_INSTANCE_CONFIGS or current.startswith(_INSTANCE_CONFIG_HEADER)


def describe_instance(home: Path) -> str:
    """The instance in `home`, for people: where it records runs."""
    if is_embedded(home):
        return f"{home} (the project's embedded instance: SQLite files in {home / 'history'})"
    text = (home / "dagster.yaml").read_text(encoding="utf-8")
    kind = "PostgreSQL" if "postgres" in text else "its own storage"
    return f"{home} ({kind}, configured by {home / 'dagster.yaml'})"

"""Import heavy modules in the background while the process would otherwise wait.

During `dbt build` the load's own process mostly waits for the dbt subprocess; importing Great
Expectations (~7 s) there, instead of when the quality step starts, takes it off the critical
path of every load.
"""

from __future__ import annotations

import importlib
import threading


def import_in_background(module: str) -> threading.Thread:
    """Start importing `module` in a daemon thread; a failure surfaces at the real import."""

    def _import() -> None:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the real import reports it with context
            pass

    thread = threading.Thread(target=_import, name=f"warm-import-{module}", daemon=True)
    thread.start()
    return thread

"""dbt's events: one no logger writes is dropped before dbt makes its message and formats it.

For every event, dbt_common's event manager makes a message (the event's text and a second
protobuf), then each logger formats it (for `--log-format json`, a protobuf-to-JSON
conversion) and only then hands the line to a Python logger, whose level drops it. A `dbt build`
of the sample fires ~3.600 events and prints ~280 (the debug ones, each SQL statement among
them, are dropped): that work on the others was ~1,5 s of a full build's ~8,7 s of CPU in every
warm dbt process (in-process builds of the sample, alternated, before/after: medians of 8,
8,7 -> 7,2 s; the formatting alone ~1 s). The checks below are the ones the Python logger
makes (`Logger.isEnabledFor` at the level `send_to_logger` logs at), asked first: what is
printed is unchanged, line for line.

Applied by the warm dbt process (warm_dbt.serve) before it runs dbt; plain dbt, started
anywhere else, works as it always did. dbt is imported only when this is called.
"""

from __future__ import annotations

import os
from typing import Any

# dbt's level names as send_to_logger logs them (dbt_common/events/logger.py)
_PYTHON_LEVELS = {"test": 10, "debug": 10, "info": 20, "warn": 30, "error": 40}
_DROPPABLE = frozenset({"debug", "test"})  # the levels an event may be skipped at
_PATCHED = "_tuphap_drops_before_formatting"


def drop_unwanted_events_early() -> bool:
    """Make dbt skip making and formatting an event no logger would write. Returns whether
    dbt has the shape this relies on (else, or on any error, dbt is left as it is: a speed-up
    only). Idempotent."""
    try:
        from dbt.tracking import track_behavior_change_warn
        from dbt_common.events import event_manager
        from dbt_common.events import logger as dbt_logger

        logger_class, manager_class = dbt_logger._Logger, event_manager.EventManager  # noqa: SLF001
        if getattr(logger_class, _PATCHED, False):
            return True
        is_print_event = dbt_logger._is_print_event  # noqa: SLF001
        # Never skipped: print events, and what dbt's own callback listens for.
        kept = frozenset({*dbt_logger.PRINT_EVENT_NAMES, "BehaviorChangeEvent"})
        write_line, fire_event = logger_class.write_line, manager_class.fire_event
    except (ImportError, AttributeError):
        return False
    if not all(map(callable, (is_print_event, write_line, fire_event))):
        return False

    def write_wanted_line(self: Any, msg: Any) -> None:
        python_logger = getattr(self, "_python_logger", None)
        if python_logger is None:  # a line nobody writes (write_line formats, then drops it)
            return
        # Print events are logged as errors (so that --quiet shows them), as write_line does.
        level = _PYTHON_LEVELS.get("error" if is_print_event(msg) else msg.info.level)
        if level is not None and not python_logger.isEnabledFor(level):
            return
        write_line(self, msg)

    def fire_wanted_event(self: Any, e: Any, level: Any = None, node: Any = None,
                          force_warn_or_error_handling: bool = False) -> None:
        """Before its loggers, the event manager makes each event's message (its text and a
        second protobuf): skipped for a debug event no logger writes, when nothing else
        listens (the one callback dbt always adds, by identity, looks only at
        BehaviorChangeEvent, a warning), the event needs no warn-error handling, and dbt's
        own serialization test mode is off (it prints every event's name)."""
        if not force_warn_or_error_handling and type(e).__name__ not in kept \
                and all(callback is track_behavior_change_warn for callback in self.callbacks) \
                and not os.environ.get("DBT_TEST_BINARY_SERIALIZATION"):
            name = (level or e.level_tag()).value
            wanted = _PYTHON_LEVELS.get(name)
            if name in _DROPPABLE and wanted is not None \
                    and not any(_writes(logger, wanted) for logger in self.loggers):
                return
        fire_event(self, e, level, node, force_warn_or_error_handling)

    logger_class.write_line = write_wanted_line
    manager_class.fire_event = fire_wanted_event
    setattr(logger_class, _PATCHED, True)
    return True


def _writes(logger: Any, level: int) -> bool:
    python_logger = getattr(logger, "_python_logger", None)
    return python_logger is not None and python_logger.isEnabledFor(level)

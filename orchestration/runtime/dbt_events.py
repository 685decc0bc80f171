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

from typing import Any

# dbt's level names as send_to_logger logs them (dbt_common/events/logger.py)
_PYTHON_LEVELS = {"test": 10, "debug": 10, "info": 20, "warn": 30, "error": 40}
_PATCHED = "_tuphap_drops_before_formatting"


def drop_unwanted_events_early() -> bool:
    """Make dbt's loggers skip formatting an event their Python logger would drop. Returns
    whether dbt's logger has the shape this relies on (else it is left as it is: a speed-up
    only). Idempotent."""
    from dbt_common.events import event_manager
    from dbt_common.events import logger as dbt_logger

    cls = dbt_logger._Logger  # noqa: SLF001 - the one place every dbt log line goes through
    if getattr(cls, _PATCHED, False):
        return True
    if not callable(getattr(dbt_logger, "_is_print_event", None)) or \
            not callable(getattr(cls, "write_line", None)):
        return False
    is_print_event = dbt_logger._is_print_event  # noqa: SLF001
    write_line = cls.write_line

    def write_wanted_line(self: Any, msg: Any) -> None:
        python_logger = getattr(self, "_python_logger", None)
        if python_logger is None:  # a line nobody writes (write_line formats, then drops it)
            return
        # Print events are logged as errors (so that --quiet shows them), as write_line does.
        level = _PYTHON_LEVELS.get("error" if is_print_event(msg) else msg.info.level)
        if level is not None and not python_logger.isEnabledFor(level):
            return
        write_line(self, msg)

    cls.write_line = write_wanted_line
    setattr(cls, _PATCHED, True)
    from dbt.tracking import track_behavior_change_warn

    _skip_unwanted_events(event_manager.EventManager,
                          frozenset(getattr(dbt_logger, "PRINT_EVENT_NAMES", ())),
                          {track_behavior_change_warn: "BehaviorChangeEvent"})
    return True


def _skip_unwanted_events(manager: Any, print_events: frozenset[str],
                          listening_for: dict[Any, str]) -> None:
    """Before its loggers, the event manager makes each event's message (its text and a
    second protobuf): skip that too for a debug event no logger writes, when nothing else
    listens (the one callback dbt always adds looks only at BehaviorChangeEvent, a warning:
    `listening_for`) and the event needs no warn-error handling."""
    fire_event = manager.fire_event

    def fire_wanted_event(self: Any, e: Any, level: Any = None, node: Any = None,
                          force_warn_or_error_handling: bool = False) -> None:
        event = type(e).__name__
        unheard = all(callback in listening_for and listening_for[callback] != event
                      for callback in self.callbacks)
        if not force_warn_or_error_handling and event not in print_events and unheard:
            name = (level or e.level_tag()).value
            wanted = _PYTHON_LEVELS.get(name)
            if name in _DROPPABLE and wanted is not None \
                    and not any(_writes(logger, wanted) for logger in self.loggers):
                return
        fire_event(self, e, level, node, force_warn_or_error_handling)

    manager.fire_event = fire_wanted_event


_DROPPABLE = frozenset({"debug", "test"})


def _writes(logger: Any, level: int) -> bool:
    python_logger = getattr(logger, "_python_logger", None)
    return python_logger is not None and python_logger.isEnabledFor(level)

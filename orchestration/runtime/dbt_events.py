"""dbt's event loggers, made to drop an event below their level before they format it.

dbt_common's `_Logger.write_line` formats every event it is handed (for `--log-format json`,
a protobuf-to-JSON conversion, ~0,4 ms an event) and only then hands the line to a Python
logger, whose level drops it. A `dbt build` of the sample fires ~3.600 events and prints
~280 (the debug ones, each SQL statement among them, are dropped): formatting the others was
~1 s of a full build's ~8,5 s of CPU in every warm dbt process (measured, in-process builds of
the sample, medians of 7: 8,50 -> 7,49 s). The check below is the one the Python logger makes
(`Logger.isEnabledFor` at the level `send_to_logger` logs at), asked first: what is printed
is unchanged, line for line.

Applied by the warm dbt process (warm_dbt.serve) before it runs dbt; plain dbt, started
anywhere else, formats as it always did. dbt is imported only when this is called.
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
    return True

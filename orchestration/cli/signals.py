"""SIGTERM as the command found it, after Dagster has run a job in its process."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigterm_kept() -> Iterator[None]:
    """Around a job run in this process (`execute_in_process`): SIGTERM as before, after it.

    While a job runs, Dagster gives SIGTERM the handler of SIGINT, so that `kill` stops the run
    as Ctrl-C would; afterwards it leaves SIGTERM with SIGINT's *original* disposition
    (dagster._utils.interrupts). A command started where SIGINT is ignored (with `&` in a
    script: POSIX shells ignore it for such jobs) would then ignore SIGTERM, and so would every
    process it starts after the run (the yearly reports a load leaves running): `kill` would
    not stop them.
    """
    previous = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        # None: set outside Python, left as it is; and only the main thread may set handlers.
        if previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)

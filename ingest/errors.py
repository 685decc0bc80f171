"""The project's one base error.

Every error tuphap raises on purpose derives from `TuphapError`, so a caller (the CLI, a
sensor, a test) can tell "the project said no, with a message for people" from a bug. It lives
in `ingest`, the lowest package, because every other package (expectations, orchestration)
may import from it and it imports nothing. Each error also derives from the built-in error it
means (ValueError, LookupError, ...), so code that catches those keeps working.
"""

from __future__ import annotations


class TuphapError(Exception):
    """An error the project raises on purpose; its message is meant for people."""

"""How a command says it failed: one line on stderr, exit code 1."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED = 0, 1


def fail(command: str, message: object) -> int:
    """Print `tuphap COMMAND: MESSAGE` on stderr; the exit code of a failed command."""
    print(f"tuphap {command}: {message}", file=sys.stderr)
    return EXIT_FAILED

"""Functions a spawned worker process can import by name (tests/orchestration/test_workers.py)."""

from __future__ import annotations

import os
import time

WARMED: list[str] = []


def warm_up() -> None:
    WARMED.append("warm")


def slow_warm_up() -> None:
    time.sleep(3600)


def failing_warm_up() -> None:
    raise RuntimeError("warm-up failed")


def what_was_warmed() -> list[str]:
    return list(WARMED)


def add(a: int, b: int) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def exit_hard() -> None:
    os._exit(3)


def sleep_as_orphan_checked_worker(parent: int) -> None:
    from orchestration.runtime.workers import exit_when_orphaned

    exit_when_orphaned(parent)
    time.sleep(3600)


def niceness() -> int:
    return os.nice(0)

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


def niceness() -> int:
    return os.nice(0)


def environment_value(name: str) -> str | None:
    return os.environ.get(name)


def folder() -> str:
    return os.getcwd()


def imported(module: str) -> bool:
    import sys

    return module in sys.modules


def origins_of_workers(count: int) -> list[str]:
    """Start and stop `count` workers one after another; where each came from."""
    from orchestration.runtime.workers import WarmProcess

    origins = []
    for index in range(count):
        worker = WarmProcess(warm_up if index % 2 else None, name="test-worker")
        worker.start()
        try:
            origins.append(worker.origin if worker.call(add, index, 1) == index + 1 else "")
        finally:
            worker.stop()
    return origins


def start_process(argv: list[str], env: dict[str, str]) -> int:
    """Start `argv` with `env` from the worker, as dbt starts its own helpers, and the
    worker's pid as its last argument; its pid."""
    import subprocess

    return subprocess.Popen([*argv, str(os.getpid())], env=env).pid


def signal_handlers() -> dict[str, str]:
    """The worker's handlers of the signals a load or its shim sends it."""
    import signal

    def name(handler: object) -> str:
        if isinstance(handler, signal.Handlers):
            return handler.name
        return str(getattr(handler, "__name__", handler))

    return {sig.name: name(signal.getsignal(sig))
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}


KEPT: list[object] = []


def named_semaphore() -> str:
    """A lock of the kind dbt makes (a "spawn" context's: a named semaphore), kept until the
    worker ends; its name."""
    import multiprocessing

    lock = multiprocessing.get_context("spawn").Lock()
    KEPT.append(lock)
    return str(lock._semlock.name)  # type: ignore[attr-defined]  # noqa: SLF001

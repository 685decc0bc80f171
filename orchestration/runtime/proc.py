"""A process's identity, read from Linux's /proc: its state, parent and start time.

Only the standard library: the helper processes of a load import this (runtime/preload.py).
"""

from __future__ import annotations

from pathlib import Path

# Positions in stat_fields of the state (field 3 of /proc/PID/stat), the parent pid (field 4)
# and the start time (field 22, clock ticks after boot).
STATE, PPID, STARTTIME = 0, 1, 19


def stat_fields(stat: bytes) -> list[bytes]:
    """The fields of a /proc/PID/stat line after "pid (comm)", from field 3 (state) on: comm
    may hold spaces and parentheses, so they start after the last ")"."""
    return stat[stat.rfind(b")") + 2:].split()


def read_stat(pid: int) -> list[bytes] | None:
    """stat_fields of process `pid`, None if there is none."""
    try:
        return stat_fields(Path(f"/proc/{pid}/stat").read_bytes())
    except OSError:
        return None


def start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks after boot), None if there is none.

    A pid alone does not name a process for long: pids are reused once they wrap (a load uses
    hundreds), so a pid noted earlier is checked against its start time."""
    fields = read_stat(pid)
    return None if fields is None else int(fields[STARTTIME])


def is_running(pid: int) -> bool:
    """Whether process `pid` runs: neither gone nor a zombie (ended, not yet collected)."""
    fields = read_stat(pid)
    return fields is not None and fields[STATE] not in (b"Z", b"X")

"""Shared fixtures of the reliability tests: sample reports, real `tuphap load` processes.

A full load of the sample takes about a minute (mostly dbt), so the load-based tests share a
few loads through session fixtures:

- `kill_story`: a warehouse loaded from part of the inbox by two loads started at once (one
  wins, one refuses), then four loads of the whole inbox each SIGKILLed at a different point,
  then a load that was waiting (`--wait`) for the last of them, watched by a reader process.
- `reference_load`: one uninterrupted load of the whole inbox on a fresh warehouse.

The whole inbox is the sample (good and deliberately flawed files) plus the hostile files of
hostile.py. Processes are real (`python -m orchestration.cli load`), killed with SIGKILL;
peak memory comes from the kernel (wait4's ru_maxrss).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from ingest.sample import SampleManifest, write_sample
from orchestration.runtime.preload_client import PRELOAD_ENV
from orchestration.runtime.processes import signal_process, start_time
from orchestration.settings import TELEMETRY_OFF, YEARLY_REPORTS_ENV
from orchestration.warehouse.duckdb import lock_path
from tests.reliability.hostile import Expect, write_hostile_inbox

ROOT = Path(__file__).resolve().parents[2]
TUPHAP = [sys.executable, "-m", "orchestration.cli"]
LOAD_TIMEOUT = 600.0
HOLD_AT_PUBLISH_DIR = Path(__file__).parent / "hold_at_publish"
HOLD_AT_PUBLISH_ENV = "TUPHAP_TEST_HOLD_AT_PUBLISH"  # as in hold_at_publish/sitecustomize.py
RELEASE_PUBLISH_ENV = "TUPHAP_TEST_RELEASE_PUBLISH"  # likewise
INIT_INSTANCE = (
    "from orchestration.runtime.instance import dagster_home\n"
    "import dagster as dg\n"
    "dagster_home()\n"
    "with dg.DagsterInstance.get() as instance:\n"
    "    instance.get_runs(limit=1)\n"
)
# When something happened, not what: differs between two loads of the same files.
TIMING_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS",
                "TIMESTAMP_S", "TIME")
# What follows from when a report came: its days late and whether it was on time, counted in
# Vietnam's date (rpt_submissions). Two loads of the same files straddle midnight there
# (17:00 UTC) now and then, a day apart.
DERIVED_FROM_TIMING = ("days_late", "on_time")
# A time written into text, e.g. dq_issues.details {"winner_received_at": "2026-…+00"}; a
# date alone (report dates) is content and stays.
TIME_IN_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::?\d\d)?|Z)?")
# Absolute paths under the warehouse folder: compared by file name (the sha256).
PATH_COLUMNS = ("archive_path",)
_ENDINGS = itertools.count()  # the order in which the started processes were seen to end


# ---------------------------------------------------------------------------------------------
# Processes


def _children() -> dict[int, list[tuple[int, int]]]:
    """ppid -> (pid, start time) of its children, from /proc."""
    tree: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # after "pid (comm)": field 4 is the parent pid, field 22 the start time
        fields = stat[stat.rindex(")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append((int(entry.name), int(fields[19])))
    return tree


def descendants(pid: int) -> dict[int, int]:
    """pid -> start time of every descendant of `pid`: a pid alone may name another process
    minutes later (a load uses ~460 pids; they wrap at 32768)."""
    tree, found, todo = _children(), {}, [pid]
    while todo:
        for child, started in tree.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


# What a load's log (stderr at TUPHAP_LOG_LEVEL INFO) says of a helper the preload server
# forked for it (orchestration/quality/row_rules.py, orchestration/dbt/resources.py).
_FORKED_WORKER = re.compile(
    r"(?:Great Expectations worker|dbt's warm process): forked by the preload server "
    r"\(pid (\d+)\)")


def forked_for(stderr: str) -> dict[int, int]:
    """pid -> start time of the helpers the preload server forked for a load, still running:
    the server's children, not the load's, but left behind as much as its own if they
    outlived it (each must end the moment its load does: runtime/preload.py)."""
    found = {}
    for pid in {int(match) for match in _FORKED_WORKER.findall(stderr)}:
        began = start_time(pid)
        if began is not None:
            found[pid] = began
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def started_for(pid: int, folder: Path) -> bool:
    """Was the process started for this build folder (dbt: its environment points into it, or
    at it)?"""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    values = [value.partition(b"=")[2] for value in environ.split(b"\0")]
    return any(value == str(folder).encode() or value.startswith((str(folder) + os.sep).encode())
               for value in values)


def alive(pid: int, started: int) -> bool:
    """Running (not a zombie), and still the process that started at `started` (not a later
    one, or a thread, given the same id): a killed load's orphans are reparented and may
    linger as zombies if nobody reaps them, but then they hold no files."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0] != "Z" and int(fields[19]) == started


@dataclass
class LoadProcess:
    """One `tuphap load` (or other command) in a child process, its output in files."""

    name: str
    args: list[str]
    proc: subprocess.Popen
    out: Path
    err: Path
    started: float
    returncode: int | None = None
    maxrss_bytes: int | None = None
    elapsed: float | None = None  # for reports only: the tests assert on no wall time
    end_order: int | None = None  # among every process started here (see wait_all)
    killed_at: float | None = None
    orphans: dict[int, int] = field(default_factory=dict)  # pid -> start time
    forked: dict[int, int] = field(default_factory=dict)  # those the preload server forked
    hwm_bytes: int = 0  # own peak RSS, sampled while it runs (see _sample_peak)
    orphan_commands: dict[int, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def orphans_for(self, folder: Path) -> dict[int, int]:
        """Its orphans that worked for the build `folder`: started for it (dbt), or its
        helpers the preload server forked (whose environment in /proc is the server's)."""
        return {pid: began for pid, began in self.orphans.items()
                if pid in self.forked or started_for(pid, folder)}

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def poll(self) -> bool:
        """Reap the child if it ended (with its rusage); True once it has."""
        if self.returncode is not None:
            return True
        self._sample_peak()
        pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self._reaped(status, usage)
        return True

    def _sample_peak(self) -> None:
        """The process's own peak RSS (VmHWM, monotonic) so far. wait4's ru_maxrss is the
        kernel's figure for the child and its reaped children, but it also counts the pages of
        this pytest process the child shared between fork and exec."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self.hwm_bytes = max(self.hwm_bytes, int(line.split()[1]) * 1024)
        except OSError:
            pass

    def _reaped(self, status: int, usage: object) -> None:
        self.returncode = os.waitstatus_to_exitcode(status)
        self.proc.returncode = self.returncode  # Popen must not wait for it again
        self.maxrss_bytes = usage.ru_maxrss * 1024  # type: ignore[attr-defined] # KiB on Linux
        self.elapsed = time.monotonic() - self.started
        self.end_order = next(_ENDINGS)

    def wait(self, timeout: float = LOAD_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while not self.poll():
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"{self.name} still running after {timeout:.0f} s:\n"
                                     f"{self.stderr()[-3000:]}")
            time.sleep(0.05)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the process only, as the OOM killer or `kill -9` would; its children (dbt)
        are not signalled and become orphans, which are recorded with their start times."""
        if self.poll():
            return
        self.forked = forked_for(self.stderr())
        self.orphans = {**descendants(self.pid), **self.forked}
        self.orphan_commands = {pid: command_line(pid) for pid in self.orphans}
        os.kill(self.pid, signal.SIGKILL)
        self.killed_at = time.monotonic()
        self.wait()


def wait_all(loads: list[LoadProcess], timeout: float = LOAD_TIMEOUT) -> None:
    """Wait for several processes at once, so each one's end is seen when it happens (its
    end_order among them, its elapsed time)."""
    deadline = time.monotonic() + timeout
    while not all([load.poll() for load in loads]):
        if time.monotonic() > deadline:
            for load in loads:
                load.kill()
            raise AssertionError(f"still running after {timeout:.0f} s")
        time.sleep(0.05)


def start(name: str, args: list[str], env: dict[str, str], logs: Path) -> LoadProcess:
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen([*TUPHAP, *args], cwd=ROOT, env=env, stdout=stdout,
                                stderr=stderr, stdin=subprocess.DEVNULL)
    return LoadProcess(name, args, proc, out, err, time.monotonic())


def wait_for(condition: Callable[[], bool], what: str, load: LoadProcess,
             timeout: float = LOAD_TIMEOUT, interval: float = 0.02) -> float:
    """Poll until `condition` holds; fail if the load ends first. Returns seconds waited."""
    begin = time.monotonic()
    while not condition():
        if load.poll():
            raise AssertionError(f"{load.name} ended (rc {load.returncode}) before {what}:\n"
                                 f"{load.stderr()[-3000:]}")
        if time.monotonic() - begin > timeout:
            raise AssertionError(f"{load.name}: no {what} after {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - begin


def holds_open(pid: int, path: Path) -> Callable[[], bool]:
    """True while process `pid` has the file `path` open (e.g. a load waiting for the load
    lock keeps the lock file open between its tries)."""
    def check() -> bool:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            return False
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor) == str(path):
                    return True
            except OSError:  # closed meanwhile
                continue
        return False

    return check


def in_stderr(load: LoadProcess, marker: str) -> Callable[[], bool]:
    return lambda: marker in load.stderr()


def build_prepared(build: Path) -> Callable[[], bool]:
    """True once the next load has made its build copy. A load first removes the whole build
    folder (debris of a killed load, and the marker put there now), then copies the published
    file in. (The build file's inode or ctime would not do: inode numbers are reused at once,
    and a killed load's dbt still writes the old file.)"""
    build.parent.mkdir(parents=True, exist_ok=True)
    marker = build.parent / ".test-marker"
    marker.touch()
    return lambda: not marker.exists() and build.exists()


# ---------------------------------------------------------------------------------------------
# Warehouse content


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def warehouse_content(warehouse: Path) -> dict[str, list[str]]:
    """Every row of every table and view of the raw and main schemas, as sorted reprs, without
    the timing columns (every TIMESTAMP: received_at, loaded_at, first_seen_at, dq_issues'
    first/last_seen_at, alerted_at, …) and what follows from them (DERIVED_FROM_TIMING), and
    with archive paths cut to their file name."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        content: dict[str, list[str]] = {}
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('raw', 'main') order by all"
        ).fetchall()
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            kept = [name for name, kind in columns
                    if kind.upper() not in TIMING_TYPES and name not in DERIVED_FROM_TIMING]
            select = ", ".join(
                f'regexp_extract("{name}", \'[^/]*$\')' if name in PATH_COLUMNS else f'"{name}"'
                for name in kept
            )
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()  # noqa: S608 - names from the catalog
            content[f"{schema}.{table}"] = sorted(TIME_IN_TEXT.sub("<time>", repr(row))
                                                  for row in rows)
        return content
    finally:
        con.close()


def content_diff(left: dict[str, list[str]], right: dict[str, list[str]]) -> list[str]:
    """Tables whose content differs, with a few differing rows each (for assertion messages)."""
    out = []
    for table in sorted(set(left) | set(right)):
        a, b = set(left.get(table, [])), set(right.get(table, []))
        if table not in left or table not in right:
            out.append(f"{table}: only on one side")
        elif a != b or len(left[table]) != len(right[table]):
            out.append(f"{table}: -{sorted(a - b)[:3]} +{sorted(b - a)[:3]}")
    return out


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleManifest:
    """The cluster sample (good and deliberately flawed files), as `tuphap sample` writes it."""
    return write_sample(tmp_path_factory.mktemp("sample") / "inbox")


@pytest.fixture(scope="session")
def sample_dir(sample: SampleManifest) -> Path:
    return sample.out_dir


@dataclass
class Inboxes:
    whole: Path  # the sample plus the hostile files
    part: Path  # the sample's good files of 2018-2021 (hard links: same files, same mtimes)
    hostile: dict[str, Expect]
    whole_contents: int  # distinct contents (sha256) of the whole inbox


@pytest.fixture(scope="session")
def inboxes(tmp_path_factory: pytest.TempPathFactory, sample: SampleManifest) -> Inboxes:
    base = tmp_path_factory.mktemp("inboxes")
    whole, part = base / "whole", base / "part"
    whole.mkdir()
    part.mkdir()
    for entry in sample:
        os.link(sample.out_dir / entry.file_name, whole / entry.file_name)
        if not entry.flawed and entry.year <= 2021:
            os.link(sample.out_dir / entry.file_name, part / entry.file_name)
    hostile = write_hostile_inbox(whole, sample.out_dir / "2022_STP-10_Lao-Cai.xlsx")
    contents = {file_sha256(path) for path in whole.iterdir()}
    return Inboxes(whole, part, hostile, len(contents))


def isolated_env(base: Path, inbox: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TUPHAP_", "DAGSTER_")) or k == PRELOAD_ENV}  # tests/conftest.py
    env.update({
        "TUPHAP_WAREHOUSE": str(base / "warehouse" / "tuphap.duckdb"),
        "TUPHAP_INBOX": str(inbox),
        "DAGSTER_HOME": str(base / "dagster_home"),
        "TUPHAP_ALERT_LOG": str(base / "warehouse" / "alerts.log"),
        "PYTHONIOENCODING": "utf-8",
        # Step progress on stderr: the kill points watch for it.
        "TUPHAP_LOG_LEVEL": "INFO",
        # No yearly reports after the loads: the stories never read them.
        YEARLY_REPORTS_ENV: "off",
        **TELEMETRY_OFF,
    })
    return env


def held_at_publish(env: dict[str, str], marker: Path,
                    release: Path | None = None) -> dict[str, str]:
    """`env` for a load that creates `marker` when it reaches the publish, and then waits there
    to be killed or, given `release`, until that file exists, and then publishes:
    hold_at_publish/ first on its PYTHONPATH (its sitecustomize.py does it)."""
    paths = [str(HOLD_AT_PUBLISH_DIR), *filter(None, [env.get("PYTHONPATH")])]
    held = {**env, "PYTHONPATH": os.pathsep.join(paths), HOLD_AT_PUBLISH_ENV: str(marker)}
    if release is not None:
        held[RELEASE_PUBLISH_ENV] = str(release)
    return held


@pytest.fixture(scope="session")
def started_processes() -> Iterator[list[LoadProcess]]:
    """Every process the fixtures start; at the end, none of them (or of the children a
    SIGKILL orphaned) may be left running: they are stopped by pid."""
    started: list[LoadProcess] = []
    yield started
    for load in started:
        if not load.poll():
            load.kill()
        for pid, began in load.orphans.items():
            if alive(pid, began):
                signal_process(pid, began, signal.SIGKILL)
    # Helpers a killed run may leave behind after the snapshot of its children (once, before
    # orchestration/runtime/compute_logs.py, Dagster's compute-log `tail -F` of a file under the
    # test's DAGSTER_HOME): anything whose command line names one of these test folders was
    # started by these tests.
    folders = {str(load.out.parent.parent) + os.sep for load in started}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        began = start_time(pid)  # before its command line, so both are of one process
        command = command_line(pid)
        if began is not None and any(folder in command for folder in folders) and alive(
                pid, began):
            signal_process(pid, began, signal.SIGKILL)


@dataclass
class ReferenceLoad:
    warehouse: Path
    load: LoadProcess
    content: dict[str, list[str]]


@pytest.fixture(scope="session")
def reference_load(tmp_path_factory: pytest.TempPathFactory, inboxes: Inboxes,
                   started_processes: list[LoadProcess]) -> ReferenceLoad:
    """One uninterrupted load of the whole inbox (sample + hostile files), fresh warehouse."""
    base = tmp_path_factory.mktemp("reference")
    env = isolated_env(base, inboxes.whole)
    # Its own Great Expectations worker, spawned as without a preload server: the load's
    # peak memory (test_loads) then counts it, and the spawned worker is loaded end to end.
    env.pop(PRELOAD_ENV, None)
    load = start("reference", ["load"], env, base / "logs")
    started_processes.append(load)
    load.wait()
    warehouse = Path(env["TUPHAP_WAREHOUSE"])
    assert load.returncode == 0, load.stdout() + load.stderr()[-5000:]
    return ReferenceLoad(warehouse, load, warehouse_content(warehouse))


@dataclass
class Kill:
    """One load SIGKILLed at one point, and what was found right after."""

    point: str
    load: LoadProcess
    seconds_into_load: float
    published_sha_after: str
    content_after: dict[str, list[str]]
    lock_free_after: bool | None  # None: not probed (a waiting load takes the lock)
    orphans_alive_after_kill: list[int]


@dataclass
class KillStory:
    warehouse: Path
    env: dict[str, str]
    first: list[LoadProcess]  # two loads of part of the inbox, started at once
    published_sha_before: str
    content_before: dict[str, list[str]]
    kills: list[Kill]
    orphans_alive_when_next_build_ready: list[int]  # of those started for the build (dbt)
    orphans_alive_at_end: dict[int, str]  # pid -> its command when its load was killed
    rerun: LoadProcess  # started with --wait while the last killed load held the lock
    rerun_waiting_at_kill: bool  # running, the lock file open: waiting for the lock
    rerun_waited_seconds: float  # for reports only
    readers: list[subprocess.Popen]  # "held" and "fresh" (see reader.py)
    reader_log: Path
    content_after_rerun: dict[str, list[str]]
    timings: dict[str, float] = field(default_factory=dict)


def _lock_is_free(warehouse: Path) -> bool:
    from orchestration.warehouse.duckdb import load_lock
    from orchestration.warehouse.engine import LoadInProgressError

    try:
        with load_lock(warehouse, timeout_seconds=0):
            return True
    except LoadInProgressError:
        return False


@pytest.fixture(scope="session")
def kill_story(tmp_path_factory: pytest.TempPathFactory, inboxes: Inboxes,
               started_processes: list[LoadProcess]) -> KillStory:
    base = tmp_path_factory.mktemp("killed")
    logs = base / "logs"
    env_part = isolated_env(base, inboxes.part)
    env = isolated_env(base, inboxes.whole)
    warehouse = Path(env["TUPHAP_WAREHOUSE"])
    build = warehouse.parent / ".build" / warehouse.name
    timings: dict[str, float] = {}

    def archived() -> int:
        return sum(1 for _ in (warehouse.parent / "archive").glob("??/*"))

    # 0. The Dagster instance exists already, as after any earlier use (two loads creating a
    #    fresh instance at once is test_load_concurrent's own case).
    subprocess.run([sys.executable, "-c", INIT_INSTANCE], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)

    # 1. Two loads of part of the inbox, started at once: one publishes, one refuses.
    first = [start(f"first-{i}", ["load"], env_part, logs) for i in (1, 2)]
    started_processes.extend(first)
    wait_all(first)
    assert sorted(load.returncode for load in first)[0] == 0, [
        load.stdout() + load.stderr()[-3000:] for load in first]
    timings["first load"] = max(load.elapsed or 0 for load in first)
    sha_before = file_sha256(warehouse)
    content_before = warehouse_content(warehouse)

    # 2. Loads of the whole inbox, each SIGKILLed at one point.
    points: list[tuple[str, Callable[[LoadProcess], None]]] = [
        ("build copy made", lambda load: None),
        # Every new file archived (the first pass of raw_reports): parsing is under way.
        ("parsing new files", lambda load: (
            wait_for(lambda: archived() >= inboxes.whole_contents, "the archive", load),
            time.sleep(0.3))),
        ("dbt running", lambda load: (
            wait_for((build.parent / "dbt-target").exists, "dbt-target/", load),
            time.sleep(2))),
    ]
    kills: list[Kill] = []
    orphans_when_next_ready: list[int] = []
    previous_orphans: dict[int, int] = {}
    for index, (point, reach) in enumerate(points):
        build_made = build_prepared(build)
        load = start(f"kill-{index + 1}", ["load"], env, logs)
        started_processes.append(load)
        wait_for(build_made, "the build copy", load)
        orphans_when_next_ready += [pid for pid, began in previous_orphans.items()
                                    if alive(pid, began)]
        reach(load)
        load.kill()
        kills.append(_after_kill(point, load, warehouse))
        previous_orphans = load.orphans_for(build.parent)

    # 3. The last one is killed after dq_issues and the alerts, just before publishing, while
    #    a second load waits for the lock (--wait) and a reader holds the published file open.
    #    Only 0.1-0.4 s pass between the alerts and the publish, so this load is held there
    #    (hold_at_publish/sitecustomize.py) and killed once it says it is.
    build_made = build_prepared(build)
    held = base / "held-at-publish"
    last = start("kill-4", ["load"], held_at_publish(env, held), logs)
    started_processes.append(last)
    wait_for(build_made, "the build copy", last)
    orphans_when_next_ready += [pid for pid, began in previous_orphans.items()
                                if alive(pid, began)]
    stop_file, reader_log = base / "reader.stop", base / "reader.jsonl"
    readers = []
    for mode in ("held", "fresh"):
        with open(logs / f"reader-{mode}.err", "wb") as reader_err:
            readers.append(subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.reader", mode, str(warehouse),
                 str(reader_log), str(stop_file)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=reader_err))
    try:
        rerun = start("rerun", ["load", "--wait", "600"], env, logs)
        started_processes.append(rerun)
        wait_for(held.exists, "the hold just before publishing", last)
        waiting = holds_open(rerun.pid, lock_path(warehouse))
        wait_for(waiting, "the --wait load waiting for the lock", rerun)
        waiting_at_kill = waiting() and not rerun.poll()
        last.kill()
        # The lock is not probed here: the waiting load is taking it, as it should.
        kills.append(_after_kill("after dq_issues and alerts, just before publish", last,
                                 warehouse, probe_lock=False))
        rerun.wait()
        waited = (last.killed_at or 0) - rerun.started
    finally:
        stop_file.touch()
        for reader in readers:
            try:
                reader.wait(60)
            except subprocess.TimeoutExpired:
                reader.kill()
                reader.wait()
    orphans_alive_at_end = {pid: load.orphan_commands.get(pid, "?")
                            for load in started_processes
                            for pid, began in load.orphans.items() if alive(pid, began)}
    timings["rerun"] = rerun.elapsed or 0
    return KillStory(warehouse, env, first, sha_before, content_before, kills,
                     orphans_when_next_ready, orphans_alive_at_end, rerun, waiting_at_kill,
                     waited, readers, reader_log, warehouse_content(warehouse), timings)


def _after_kill(point: str, load: LoadProcess, warehouse: Path, *,
                probe_lock: bool = True) -> Kill:
    assert load.killed_at is not None
    return Kill(
        point=point, load=load, seconds_into_load=load.killed_at - load.started,
        published_sha_after=file_sha256(warehouse),
        content_after=warehouse_content(warehouse),
        lock_free_after=_lock_is_free(warehouse) if probe_lock else None,
        orphans_alive_after_kill=[pid for pid, began in load.orphans.items()
                                  if alive(pid, began)],
    )

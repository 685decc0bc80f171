"""The profile's `postgres` target: chosen by name, its password only from the environment.

profiles.yml holds no password: dbt gets it from DBT_ENV_SECRET_TUPHAP_PG_PASSWORD (which dbt
scrubs from its logs) or PGPASSWORD, and with neither, libpq reads the password file, as for any
PostgreSQL client. `dbt debug` connects with a role of the suite's server that needs its
password; a wrong one fails, and no password appears in what dbt logs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from secrets import token_hex
from typing import Any

import pytest
from dbt.cli.main import dbtRunner
from psycopg import sql

from tests.dbt.conftest import DBT_PROJECT_DIR
from tests.dbt.postgres_target import dbt_environment
from tests.postgres_server import PostgresServer

# A fresh password per run, with a colon and a backslash (the password file escapes them).
ROLE_PASSWORD = f"pw:{token_hex(8)}\\"
SECRET_VARIABLES = ("DBT_ENV_SECRET_TUPHAP_PG_PASSWORD", "PGPASSWORD", "PGPASSFILE")


@pytest.fixture(scope="module")
def loader_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A database owned by a role that logs in with a password, as on a real server; its URL
    without the password."""
    role = f"loader_{os.getpid()}"
    name = postgres_server.create_database("profile")
    with postgres_server.connect() as con:
        con.execute(sql.SQL("create role {} login password {}").format(
            sql.Identifier(role), sql.Literal(ROLE_PASSWORD)))
        con.execute(sql.SQL("alter database {} owner to {}").format(
            sql.Identifier(name), sql.Identifier(role)))
    yield f"postgresql://{role}@127.0.0.1:{postgres_server.port}/{name}"
    postgres_server.drop_database(name)
    with postgres_server.connect() as con:
        con.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def dbt_debug(url: str, secrets: dict[str, str], work_dir: Path) -> tuple[bool, str]:
    """`dbt debug` (a connection test) against `url`: (success, everything dbt said)."""
    said: list[str] = []

    def collect(event: Any) -> None:
        said.append(event.info.msg)

    env = {**dbt_environment(url), **secrets}
    previous = {name: os.environ.get(name) for name in (*env, *SECRET_VARIABLES)}
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(env)
    cwd = os.getcwd()
    try:
        result = dbtRunner(callbacks=[collect]).invoke([
            "debug", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
            str(DBT_PROJECT_DIR), "--log-path", str(work_dir / "logs")])
    finally:
        os.chdir(cwd)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    logged = "\n".join(str(message) for message in said)
    for log in (work_dir / "logs").glob("*.log"):
        logged += log.read_text(errors="replace")
    return bool(result.success), logged


def test_password_from_dbts_secret_variable(loader_url: str, tmp_path: Path) -> None:
    ok, logged = dbt_debug(
        loader_url, {"DBT_ENV_SECRET_TUPHAP_PG_PASSWORD": ROLE_PASSWORD}, tmp_path)
    assert ok, logged
    assert "postgres" in logged  # the target chosen by TUPHAP_DBT_TARGET
    assert ROLE_PASSWORD not in logged


def test_password_from_pgpassword(loader_url: str, tmp_path: Path) -> None:
    ok, logged = dbt_debug(loader_url, {"PGPASSWORD": ROLE_PASSWORD}, tmp_path)
    assert ok, logged
    assert ROLE_PASSWORD not in logged


def test_password_from_the_password_file(loader_url: str, tmp_path: Path) -> None:
    user_and_host = loader_url.removeprefix("postgresql://")
    user, rest = user_and_host.split("@")
    port = rest.split(":")[1].split("/")[0]
    passfile = tmp_path / "pgpass"
    escaped = ROLE_PASSWORD.replace("\\", "\\\\").replace(":", "\\:")
    passfile.write_text(f"127.0.0.1:{port}:*:{user}:{escaped}\n")
    passfile.chmod(0o600)
    ok, logged = dbt_debug(loader_url, {"PGPASSFILE": str(passfile)}, tmp_path)
    assert ok, logged


def test_a_wrong_password_fails_without_showing_it(loader_url: str, tmp_path: Path) -> None:
    wrong = f"wrong-{token_hex(8)}"
    ok, logged = dbt_debug(loader_url, {"PGPASSWORD": wrong}, tmp_path)
    assert not ok
    assert "password authentication failed" in logged
    assert "127.0.0.1" in logged
    assert wrong not in logged

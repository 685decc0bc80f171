"""A PostgreSQL warehouse as a ministry's DBA would hand it over: an empty database owned by a
loader role (not a superuser, no CREATEROLE, no CREATEDB), and a reader role that exists.

Both roles log in with a password (the test server asks every role but the superuser for one),
so a test that loads with `server_warehouse.environment()` proves the password travels the way
it does for the data team (PGPASSWORD here; the URL and ~/.pgpass are tested on their own).
Role names are unique per test: roles are global to the server, shared by the tests of a worker.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from tests.postgres_server import PostgresServer

_NAMES = itertools.count()


@dataclass(frozen=True)
class ServerWarehouse:
    server: PostgresServer
    database: str
    loader: str
    loader_password: str
    reader: str
    reader_password: str

    @property
    def url(self) -> str:
        """The warehouse address the data team gives: no password in it."""
        return f"postgresql://{self.loader}@{self.server.host}:{self.server.port}/{self.database}"

    @property
    def url_with_password(self) -> str:
        return (f"postgresql://{self.loader}:{self.loader_password}@{self.server.host}:"
                f"{self.server.port}/{self.database}")

    def environment(self) -> dict[str, str]:
        """What a load needs in its environment: the address, the password, the reader role."""
        return {"TUPHAP_WAREHOUSE": self.url, "PGPASSWORD": self.loader_password,
                "TUPHAP_PG_READER_ROLE": self.reader}

    def connect_as_reader(self) -> psycopg.Connection[tuple[object, ...]]:
        """An analyst's connection (autocommit off: READ COMMITTED transactions)."""
        return psycopg.connect(host=self.server.host, port=self.server.port, user=self.reader,
                               password=self.reader_password, dbname=self.database,
                               connect_timeout=60)

    def connect_as_loader(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host=self.server.host, port=self.server.port, user=self.loader,
                               password=self.loader_password, dbname=self.database,
                               autocommit=True, connect_timeout=60)

    def drop(self) -> None:
        with self.server.connect() as con:
            con.execute(sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(self.database)))
            for role in (self.loader, self.reader):
                con.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


def create_server_warehouse(server: PostgresServer, *, reader: str | None = None
                            ) -> ServerWarehouse:
    """Roles and an empty database, created the way the README tells a DBA to."""
    suffix = f"{os.getpid()}_{next(_NAMES)}"
    loader, reader = f"loader_{suffix}", reader or f"reader_{suffix}"
    passwords = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    database = server.create_database(f"warehouse_{suffix}")
    with server.connect() as con:
        con.execute(sql.SQL("create role {} login password {}").format(
            sql.Identifier(loader), sql.Literal(passwords[0])))
        exists = con.execute("select count(*) from pg_roles where rolname = %s",
                             [reader]).fetchone()
        if not (exists and exists[0]):
            con.execute(sql.SQL("create role {} login password {}").format(
                sql.Identifier(reader), sql.Literal(passwords[1])))
        else:
            con.execute(sql.SQL("alter role {} password {}").format(
                sql.Identifier(reader), sql.Literal(passwords[1])))
        con.execute(sql.SQL("alter database {} owner to {}").format(
            sql.Identifier(database), sql.Identifier(loader)))
        # As the README's DBA section sets the reader role up.
        con.execute(sql.SQL("alter role {} set search_path = main").format(
            sql.Identifier(reader)))
        con.execute(sql.SQL("alter role {} set idle_in_transaction_session_timeout = '30min'"
                            ).format(sql.Identifier(reader)))
    with psycopg.connect(server.url(database), autocommit=True) as con:
        # PostgreSQL 15+: only the database owner may create in `public`; say so explicitly.
        con.execute("revoke create on schema public from public")
    return ServerWarehouse(server, database, loader, passwords[0], reader, passwords[1])


@pytest.fixture
def server_warehouse(postgres_server: PostgresServer) -> Iterator[ServerWarehouse]:
    """An empty warehouse database handed over by a DBA, for one test."""
    warehouse = create_server_warehouse(postgres_server)
    yield warehouse
    with contextlib.suppress(psycopg.Error):
        warehouse.drop()

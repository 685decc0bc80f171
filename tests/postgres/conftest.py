"""The PostgreSQL test server's fixtures (tests/postgres_server.py): `postgres_server`, one
server per test session (per xdist worker), and `pg_database`, a fresh database per test."""

from tests.postgres_server import pg_database, postgres_server  # noqa: F401

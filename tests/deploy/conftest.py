"""The PostgreSQL test server's fixtures (tests/postgres_server.py) for the service's tests:
`postgres_server`, one server per test session (per xdist worker), and `pg_database`."""

from tests.postgres_server import pg_database, postgres_server  # noqa: F401

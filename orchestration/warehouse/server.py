"""A PostgreSQL warehouse's address: the URL the data team gives, and connections to it.

The password may be in the URL, in PGPASSWORD or in ~/.pgpass, as for any libpq client. It is
kept out of everything that is printed, logged or stored: `display` (the address runs carry
in their configuration and the CLI prints) never holds it, and errors name the host, never the
password. Connections fail in seconds when the server cannot be reached (`connect_timeout`),
and TCP keepalives notice a dead server mid-load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from orchestration.warehouse.errors import WarehouseUnreachableError

CONNECT_TIMEOUT_SECONDS = 5
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3}


@dataclass(frozen=True)
class ServerAddress:
    """A parsed `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?options]` URL."""

    host: str
    port: int
    user: str
    dbname: str
    options: Mapping[str, str] = field(default_factory=dict)
    password: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, url: str) -> ServerAddress:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        try:
            parts = {key: str(value) for key, value in conninfo_to_dict(url).items()}
        except psycopg.ProgrammingError as error:  # it names what is wrong, not the URL
            raise ValueError(f"not a PostgreSQL URL: {_first_line(error)}") from None
        missing = [name for name in ("user", "dbname") if not parts.get(name)]
        if missing:
            raise ValueError("a PostgreSQL warehouse URL must name "
                             + " and ".join(missing) + ": postgresql://USER@HOST:PORT/DB")
        host = parts.pop("host", "localhost")
        port = int(parts.pop("port", "5432"))
        user, dbname = parts.pop("user"), parts.pop("dbname")
        password = parts.pop("password", None) or None
        return cls(host=host, port=port, user=user, dbname=dbname, options=parts,
                   password=password)

    @property
    def display(self) -> str:
        """The URL without its password: safe to print, log and store."""
        query = "&".join(f"{quote(key)}={quote(value)}" for key, value in sorted(
            self.options.items()))
        return (f"postgresql://{quote(self.user, safe='')}@{self.host}:{self.port}/"
                f"{quote(self.dbname, safe='')}" + (f"?{query}" if query else ""))

    @property
    def label(self) -> str:
        """host:port/db: names the warehouse in messages and in this machine's folders."""
        return f"{self.host}:{self.port}/{self.dbname}"

    def connect_arguments(self, application_name: str) -> dict[str, Any]:
        """What psycopg's connect takes; the password only when the URL had one (else libpq
        reads PGPASSWORD, then ~/.pgpass)."""
        arguments: dict[str, Any] = {
            **self.options, "host": self.host, "port": self.port, "user": self.user,
            "dbname": self.dbname, "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": application_name, **KEEPALIVES,
        }
        if self.password is not None:
            arguments["password"] = self.password
        return arguments

    def connect(self, application_name: str = "tuphap", *, autocommit: bool = True) -> Any:
        """A psycopg connection in UTC; WarehouseUnreachableError, naming the host, when the
        server cannot be reached or refuses the role."""
        import psycopg

        try:
            connection = psycopg.connect(**self.connect_arguments(application_name),
                                         autocommit=autocommit)
        except psycopg.OperationalError as error:
            raise WarehouseUnreachableError(
                f"cannot connect to the warehouse at {self.label} as {self.user}: "
                f"{_first_line(error, hide=self.password)}") from None
        connection.execute("set timezone = 'UTC'")
        return connection


def _first_line(error: BaseException, *, hide: str | None = None) -> str:
    """The first line of a driver's message, with the password taken out if it appears."""
    text = (str(error).strip().splitlines() or ["unknown error"])[0]
    return text.replace(hide, "***") if hide else text

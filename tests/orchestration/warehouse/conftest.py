"""The PostgreSQL engine's fixtures: the suite's server, a warehouse database a DBA handed over
(tests/postgres/warehouse.py), and the engine a load uses on it."""

from __future__ import annotations

import pytest

from orchestration.warehouse.engine import engine_for
from orchestration.warehouse.postgres import PostgresWarehouse
from tests.postgres.warehouse import ServerWarehouse, server_warehouse  # noqa: F401
from tests.postgres_server import postgres_server  # noqa: F401


@pytest.fixture
def engine(server_warehouse: ServerWarehouse, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
           tmp_path) -> PostgresWarehouse:  # noqa: ANN001
    monkeypatch.setenv("PGPASSWORD", server_warehouse.loader_password)
    monkeypatch.setenv("TUPHAP_PG_READER_ROLE", server_warehouse.reader)
    monkeypatch.setenv("TUPHAP_LOCAL_DIR", str(tmp_path / "local"))
    chosen = engine_for(server_warehouse.url)
    assert isinstance(chosen, PostgresWarehouse)
    return chosen

"""On PostgreSQL the private store (the contacts register, every message) is a schema no
reader may read or even see listed: the loading role owns it and grants nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest

from ingest.contacts import Contact
from orchestration.correspondence import store
from orchestration.warehouse.engine import engine_for
from tests.postgres.warehouse import create_server_warehouse
from tests.postgres_server import PostgresServer


def test_the_contacts_register_is_not_readable_by_the_reader_role(
        postgres_server: PostgresServer) -> None:
    warehouse = create_server_warehouse(postgres_server)
    engine = engine_for(warehouse.url_with_password)
    officer = Contact("STP-10", "can.bo@lc.example", "Cán bộ", "officer", date(2020, 1, 1), None)
    with engine.private_store() as con:
        store.ensure_store(con)
        store.save_register(con, "f" * 64, [officer], [], datetime.now(UTC))
    message = store.Planned("k" * 64, "<k@tuphap.invalid>", "receipt", "STP-10", "Tiêu đề",
                            "Nội dung", ("receipt:abc:STP-10",),
                            (store.Recipient("can.bo@lc.example", "to"),))
    with engine.private_store() as con:
        assert store.register_in_force_now(con) == ("f" * 64, (officer,))
        with store.transaction(con):
            store.record(con, [message, message], datetime.now(UTC))  # recorded once
        (pending,) = store.undelivered(con)
        store.mark(con, message.key, "can.bo@lc.example", ok=True, error=None,
                   now=datetime.now(UTC))
        assert pending["subject"] == "Tiêu đề" and store.undelivered(con) == []
        assert store.told_items(con, "receipt:") == {"receipt:abc:STP-10"}
    with warehouse.connect_as_reader() as reader:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("select email from tuphap_private.contacts")
        reader.rollback()
        listed = reader.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'tuphap_private'").fetchone()
        columns = reader.execute(
            "select count(*) from information_schema.columns where column_name = 'email'"
            ).fetchone()
    assert listed == (0,) and columns == (0,)

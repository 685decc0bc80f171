"""A unit's mailed explanation on a PostgreSQL warehouse, as analysts see it: a real server
(tests/postgres_server.py), real IMAP and SMTP servers, two real `tuphap load`s.

The first load publishes the 2024 reports and their issues. The warehouse is then made as a
publish before explanations made it (tuphap_meta.dq_issues and the reader's view without
`explanation`, `explained_by_unit_at`, `reopened_at`, `reopen_note`). An officer replies with
an issue's token; the next load takes the reply, and the kept issue history gains the columns
without losing a row: the reader sees the issue `explained`, with the unit's text."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import sql

from ingest.sample import write_sample
from orchestration.quality.issues import ADDED_COLUMNS
from orchestration.warehouse.pgpublish import META_SCHEMA, _kept_view_query
from orchestration.warehouse.postgres import LOCAL_ROOT_ENV
from tests.correspondence.conftest import environment, officers
from tests.correspondence.smtp_server import SmtpServer
from tests.e2e.conftest import tuphap
from tests.mailbox.conftest import unit_mail
from tests.mailbox.imap_server import ImapServer
from tests.postgres.warehouse import ServerWarehouse, create_server_warehouse
from tests.postgres_server import PostgresServer
from tests.quality.smtp_sink import ReceivedMail

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mailbox_postgres")]
ARRIVED = datetime(2024, 12, 11, 3, 0, tzinfo=UTC)  # 10:00 on 11/12/2024 in Vietnam
EXPLANATION = "Số liệu đúng: gồm cả việc ủy thác từ tỉnh khác."
NEW_COLUMNS = [name for name, _ in ADDED_COLUMNS]


@dataclass
class Story:
    warehouse: ServerWarehouse
    before: list[tuple]  # the reader's dq_issues rows published before the change
    columns_before: list[str]  # the reader's dq_issues columns then
    fingerprint: str  # the issue the unit explained
    unit: str
    mails: list[ReceivedMail]  # what the second load sent

    def reader_rows(self, query: str, params: list | None = None) -> list[tuple]:
        with self.warehouse.connect_as_reader() as con:
            return con.execute(query, params or []).fetchall()


def reader_columns(warehouse: ServerWarehouse) -> list[str]:
    with warehouse.connect_as_reader() as con:
        return [name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'main'"
            " and table_name = 'dq_issues' order by ordinal_position").fetchall()]


def as_published_before_explanations(warehouse: ServerWarehouse) -> None:
    """The kept issue history and its public view as a publish of the previous version left
    them: without the columns explanations added."""
    with warehouse.connect_as_loader() as con, con.transaction():
        con.execute("drop view main.dq_issues")
        con.execute(sql.SQL("alter table {}.dq_issues {}").format(
            sql.Identifier(META_SCHEMA), sql.SQL(", ").join(
                sql.SQL("drop column {}").format(sql.Identifier(name))
                for name in NEW_COLUMNS)))
        con.execute(sql.SQL("create view main.dq_issues as {}").format(
            _kept_view_query(con, "dq_issues")))
        con.execute(sql.SQL("grant select on main.dq_issues to {}").format(
            sql.Identifier(warehouse.reader)))


@pytest.fixture(scope="module")
def story(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Story]:
    base = tmp_path_factory.mktemp("mail-postgres")
    sample, inbox = base / "sample", base / "inbox"
    write_sample(sample)
    inbox.mkdir()
    for path in [*sample.glob("2024_*"), *sample.glob("LOI_2024_*")]:
        shutil.copy(path, inbox / path.name)
    warehouse = create_server_warehouse(postgres_server)
    try:
        with SmtpServer() as smtp, ImapServer() as imap:
            env = {**environment(base, smtp), **imap.environment(),
                   **warehouse.environment(), "TUPHAP_INBOX": str(inbox),
                   "TUPHAP_IMAP_ADDRESS": "baocao@tuphap.example",
                   LOCAL_ROOT_ENV: str(base / "local")}
            first = tuphap(["load", "--years", "2024"], env)
            assert first.returncode == 0, first.stdout + first.stderr
            as_published_before_explanations(warehouse)
            columns = reader_columns(warehouse)
            with warehouse.connect_as_reader() as con:
                before = con.execute("select fingerprint, unit_code, status, message"
                                     " from main.dq_issues order by fingerprint").fetchall()
            people = officers()
            fingerprint, unit = next((fp, u) for fp, u, status, _ in before
                                     if status == "open" and u in people.values())
            officer = next(a for a, u in people.items() if u == unit and a.startswith("canbo"))
            imap.append(unit_mail(officer, f"Giải trình [#{fingerprint[:12]}]",
                                  EXPLANATION).as_bytes(), when=ARRIVED)
            already = len(smtp.mails)
            second = tuphap(["load", "--years", "2024"], env)
            assert second.returncode == 0, second.stdout + second.stderr
            yield Story(warehouse, before, columns, fingerprint, unit, smtp.mails[already:])
    finally:
        with contextlib.suppress(psycopg.Error):
            warehouse.drop()


def test_the_reader_sees_the_explanation_of_a_mailed_reply(story: Story) -> None:
    [row] = story.reader_rows(
        "select status, explanation, explained_by_unit_at, unit_code from main.dq_issues"
        " where fingerprint = %s", [story.fingerprint])
    assert row == ("explained", EXPLANATION, ARRIVED, story.unit)
    others = story.reader_rows("select status, explanation from main.dq_issues"
                               " where fingerprint <> %s", [story.fingerprint])
    assert others and all(status != "explained" and text is None for status, text in others)
    [receipt] = [m for m in story.mails if m.subject.startswith("[tuphap] Đã ghi nhận")]
    assert {officers()[a] for a in receipt.rcpt_to} == {story.unit}


def test_a_warehouse_published_before_gains_the_columns_and_keeps_its_rows(
        story: Story) -> None:
    assert not set(NEW_COLUMNS) & set(story.columns_before)  # as the previous version left it
    assert reader_columns(story.warehouse) == [*story.columns_before, *NEW_COLUMNS]
    after = story.reader_rows("select fingerprint, unit_code, status, message"
                              " from main.dq_issues order by fingerprint")
    assert len(after) == len(story.before) > 1
    assert [(fp, unit, message) for fp, unit, _, message in after] == [
        (fp, unit, message) for fp, unit, _, message in story.before]
    with story.warehouse.connect_as_loader() as con:
        kept = [name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = %s"
            " and table_name = 'dq_issues' order by ordinal_position", [META_SCHEMA])]
    assert kept[-len(NEW_COLUMNS):] == NEW_COLUMNS

"""The mailbox sensor: its pure decision, and its ticks evaluated by Dagster (a real instance)
against a real IMAP server (pymap on 127.0.0.1): a report message arriving asks for a load,
a tick with nothing new skips, a wrong password skips saying why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import pytest

from orchestration.automation.jobs import LOAD_JOB_NAME
from orchestration.automation.mail_sensor import decide, mailbox_sensor, read_cursor
from orchestration.partitions import years_partitions
from tests.mailbox.conftest import unit_mail
from tests.mailbox.imap_server import ImapServer


def test_a_new_message_asks_for_a_load() -> None:
    assert decide({"uid_validity": 7, "uid": 3}, 7, [1, 2, 3, 4]) == (
        True, {"uid_validity": 7, "uid": 4})
    assert decide({}, 7, [5]) == (True, {"uid_validity": 7, "uid": 5})  # first tick


def test_nothing_new_asks_for_nothing() -> None:
    assert decide({"uid_validity": 7, "uid": 4}, 7, [1, 2, 3, 4]) == (
        False, {"uid_validity": 7, "uid": 4})
    assert decide({}, 7, []) == (False, {"uid_validity": 7, "uid": 0})  # an empty folder
    # Messages deleted by someone: the highest UID seen stays, nothing to load.
    assert decide({"uid_validity": 7, "uid": 9}, 7, [2]) == (
        False, {"uid_validity": 7, "uid": 9})


def test_a_new_uidvalidity_asks_for_a_load_of_any_message() -> None:
    # The folder was renumbered: UIDs under the old UIDVALIDITY mean nothing now (the pull
    # knows the messages it took by Message-ID and content).
    assert decide({"uid_validity": 7, "uid": 40}, 8, [1, 2]) == (
        True, {"uid_validity": 8, "uid": 2})
    assert decide({"uid_validity": 7, "uid": 40}, 8, []) == (
        False, {"uid_validity": 8, "uid": 0})


@pytest.mark.parametrize("text", ['"12"', "12", '{"uid": 12}', '{"uid_validity": "7",'
                                  ' "uid": 12}', "[7, 12]", "not json", '{"uid_validity":'
                                  ' true, "uid": 3}'])
def test_a_cursor_of_another_format_is_nothing_known(text: str) -> None:
    assert read_cursor(text) == {}
    assert decide(read_cursor(text), 7, [3]) == (True, {"uid_validity": 7, "uid": 3})
    assert decide(text, 7, []) == (False, {"uid_validity": 7, "uid": 0})


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    with ImapServer() as server:
        yield server


def tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorExecutionData:
    """One tick as the daemon evaluates it."""
    return mailbox_sensor.evaluate_tick(dg.build_sensor_context(
        instance=instance, cursor=cursor, sensor_name=mailbox_sensor.name))


def test_a_report_message_asks_for_a_load_and_then_nothing_is_new(
        imap: ImapServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in imap.environment().items():
        monkeypatch.setenv(name, value)
    report = unit_mail("canbo.stp20@langson.tuphap.example", "Báo cáo năm 2024",
                       "Gửi báo cáo.", (("Báo cáo 2024.xlsx", b"PK\x03\x04 not read here"),))
    with dg.DagsterInstance.ephemeral() as instance:
        empty = tick(instance, None)
        assert not empty.run_requests and empty.skip_message == "no new message"
        imap.append(report.as_bytes(), when=datetime(2024, 12, 10, 2, 30, tzinfo=UTC))
        before = imap.flags()
        arrived = tick(instance, empty.cursor)
        [request] = arrived.run_requests
        keys = years_partitions.get_partition_keys()
        assert request.tags["dagster/asset_partition_range_start"] == keys[0]
        assert request.tags["dagster/asset_partition_range_end"] == keys[-1]
        assert request.tags["tuphap/trigger"] == "mailbox"
        with imap.client() as client:
            [uid] = client.search("ALL")
            uid_validity = client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"]
        assert json.loads(arrived.cursor) == {"uid_validity": uid_validity, "uid": uid}
        assert request.run_key == f"mail-{uid_validity}-{uid}"
        assert mailbox_sensor.job_name == LOAD_JOB_NAME
        again = tick(instance, arrived.cursor)
        assert not again.run_requests and again.skip_message == "no new message"
        assert again.cursor == arrived.cursor
    assert imap.flags() == before  # the tick only looked: nothing marked read


def test_no_mailbox_configured_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUPHAP_IMAP_URL", raising=False)
    with dg.DagsterInstance.ephemeral() as instance:
        result = tick(instance, None)
    assert not result.run_requests
    assert result.skip_message == "no mailbox configured (TUPHAP_IMAP_URL)"


def test_a_mailbox_that_cannot_be_read_skips_the_tick_saying_why(
        imap: ImapServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUPHAP_IMAP_URL", imap.url())
    monkeypatch.setenv("TUPHAP_IMAP_PASSWORD", "sai-mat-khau")
    with dg.DagsterInstance.ephemeral() as instance:
        result = tick(instance, '{"uid_validity": 1, "uid": 4}')
    assert not result.run_requests
    assert "AUTHENTICATIONFAILED" in (result.skip_message or "")
    assert "sai-mat-khau" not in (result.skip_message or "")
    assert result.cursor in (None, '{"uid_validity": 1, "uid": 4}')  # the next tick tries again

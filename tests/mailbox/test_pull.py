"""One pull of a real mailbox (pymap over IMAP on 127.0.0.1) into a real private store and
inbox: each message taken once, whatever happens between two pulls; the mailbox untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.limits import Limits
from ingest.reference import load_registry
from orchestration.mailbox.address import mailbox_settings
from orchestration.mailbox.pull import PullResult, pull
from orchestration.warehouse.engine import engine_for
from tests.correspondence.conftest import REGISTER
from tests.mailbox.conftest import unit_mail
from tests.mailbox.dropping_proxy import DroppingProxy
from tests.mailbox.imap_server import ImapServer

ARRIVED = datetime(2024, 12, 10, 2, 30, tzinfo=UTC)  # 09:30 in Vietnam
OFFICER = "canbo.stp20@langson.tuphap.example"


class Crash(Exception):
    pass


def run_pull(base: Path, imap: ImapServer, folder: str = "INBOX", **extra: object
             ) -> PullResult:
    mail = mailbox_settings({**imap.environment(folder), "TUPHAP_MAX_ATTACHMENT_MB": "1"})
    assert mail is not None
    return pull(engine_for(base / "warehouse.duckdb"), mail, inbox=base / "inbox",
                contacts_path=REGISTER, registry=load_registry(), scope="cluster",
                limits=Limits(), now=datetime.now(UTC), **extra)  # type: ignore[arg-type]


def inbox_files(base: Path) -> list[str]:
    return sorted(p.relative_to(base / "inbox").as_posix()
                  for p in (base / "inbox").rglob("*") if p.is_file())


def test_an_officers_report_is_put_in_the_inbox_once_and_flags_stay(
        tmp_path: Path, imap: ImapServer, report: bytes) -> None:
    imap.append(unit_mail(OFFICER, "Báo cáo năm 2024", "Gửi báo cáo.",
                          (("Báo cáo STP Lạng Sơn 2024.xlsx", report),)).as_bytes(),
                when=ARRIVED, flags=(b"\\Flagged",))
    imap.append(unit_mail("la@nguoi-la.example", "Báo cáo", "x",
                          (("bc.xlsx", report),)).as_bytes(), when=ARRIVED)
    before = imap.flags()
    first = run_pull(tmp_path, imap)
    assert (first.new, first.files, len(first.held)) == (2, 1, 1), first
    assert first.held[0]["reason"] == "the sender is not an officer in the contacts register"
    assert inbox_files(tmp_path) == [
        f"e-mail/2024-12-10/{name.split('/')[-2]}/Báo cáo STP Lạng Sơn 2024.xlsx"
        for name in inbox_files(tmp_path)]
    assert imap.flags() == before  # nothing marked read, moved or deleted
    again = run_pull(tmp_path, imap)
    assert (again.new, again.files, again.held) == (0, 0, [])
    assert imap.flags() == before


def test_a_crash_between_writing_and_recording_takes_nothing_twice(
        tmp_path: Path, imap: ImapServer, report: bytes) -> None:
    imap.append(unit_mail(OFFICER, "Báo cáo", "Gửi.", (("a.xlsx", report),)).as_bytes(),
                when=ARRIVED)

    def crash() -> None:
        raise Crash

    with pytest.raises(Crash):
        run_pull(tmp_path, imap, before_record=crash)
    written = inbox_files(tmp_path)
    assert len(written) == 1  # on disk, not yet recorded
    after = run_pull(tmp_path, imap)
    assert (after.new, after.files) == (1, 1)  # taken now, writing the same file again
    assert inbox_files(tmp_path) == written
    assert run_pull(tmp_path, imap).new == 0


def test_a_new_uidvalidity_takes_nothing_twice(tmp_path: Path, imap: ImapServer,
                                               report: bytes) -> None:
    raw = unit_mail(OFFICER, "Báo cáo", "Gửi.", (("a.xlsx", report),)).as_bytes()
    imap.append(raw, folder="Baocao", when=ARRIVED)
    assert run_pull(tmp_path, imap, "Baocao").files == 1
    with imap.client() as client:  # the folder made again: new UIDVALIDITY, same message
        client.delete_folder("Baocao")
    imap.append(raw, folder="Baocao", when=ARRIVED)
    again = run_pull(tmp_path, imap, "Baocao")
    assert (again.new, again.duplicates, again.files) == (1, 1, 0)


def test_an_attachment_over_the_limit_is_held_without_downloading(
        tmp_path: Path, imap: ImapServer) -> None:
    imap.append(unit_mail(OFFICER, "Báo cáo", "Gửi.", (("lon.csv", b"1," * 700_000),))
                .as_bytes(), when=ARRIVED)
    result = run_pull(tmp_path, imap)
    assert result.files == 0 and "over the limit of 1 MB" in result.held[0]["reason"]
    assert "not downloaded" in result.held[0]["reason"]


def test_a_wrong_password_or_no_server_is_one_line_and_nothing_taken(
        tmp_path: Path, imap: ImapServer) -> None:
    imap.append(unit_mail(OFFICER, "x", "y").as_bytes(), when=ARRIVED)
    mail = mailbox_settings({**imap.environment(), "TUPHAP_IMAP_PASSWORD": "sai-mat-khau"})
    assert mail is not None
    result = pull(engine_for(tmp_path / "warehouse.duckdb"), mail, inbox=tmp_path / "inbox",
                  contacts_path=REGISTER, registry=load_registry(), scope="cluster",
                  limits=Limits(), now=datetime.now(UTC))
    assert result.error and "AUTHENTICATIONFAILED" in result.error
    assert "sai-mat-khau" not in result.summary() and "\n" not in result.summary()
    assert run_pull(tmp_path, imap).new == 1  # the right password later takes it


def test_a_connection_lost_mid_fetch_keeps_what_was_taken_and_the_rest_comes_next(
        tmp_path: Path, imap: ImapServer, report: bytes) -> None:
    """The connection drops while the second message's bytes arrive: one line says so, the
    first message is taken, nothing of the two others is recorded or put in the inbox, and the
    next pull takes them."""
    for n in range(3):
        imap.append(unit_mail(OFFICER, f"Báo cáo {n}", "Gửi.", ((f"bc-{n}.xlsx", report),))
                    .as_bytes(), when=ARRIVED)
    with DroppingProxy(imap.port, bodies=1) as proxy:
        mail = mailbox_settings({**imap.environment(), "TUPHAP_IMAP_URL":
                                 imap.url().replace(str(imap.port), str(proxy.port))})
        assert mail is not None
        engine = engine_for(tmp_path / "warehouse.duckdb")

        def pulled() -> PullResult:
            return pull(engine, mail, inbox=tmp_path / "inbox", contacts_path=REGISTER,
                        registry=load_registry(), scope="cluster", limits=Limits(),
                        now=datetime.now(UTC))

        lost = pulled()
        assert proxy.dropped.is_set()
        assert (lost.new, lost.taken, lost.files) == (3, 1, 1)
        line = lost.summary()
        assert "\n" not in line and "1 taken before the connection was lost" in line
        assert "the other 2 at the next pull" in line and lost.error
        assert [Path(p).name for p in inbox_files(tmp_path)] == ["bc-0.xlsx"]
        with engine.private_store() as con:
            assert con.execute("select subject from tuphap_private.mail_taken").fetchall() == [
                ("Báo cáo 0",)]
        rest = pulled()
        assert (rest.error, rest.new, rest.taken, rest.files) == (None, 2, 2, 2)
        assert pulled().new == 0
    assert sorted(Path(p).name for p in inbox_files(tmp_path)) == [
        "bc-0.xlsx", "bc-1.xlsx", "bc-2.xlsx"]

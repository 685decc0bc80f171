"""`tuphap held`: what the pull held, listed without addresses, released into the inbox
(received when its message arrived) or dropped with a note; a real IMAP server and store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.ingest.arrivals import arrival_times
from orchestration.warehouse.engine import engine_for
from tests.mailbox.conftest import unit_mail
from tests.mailbox.imap_server import ImapServer
from tests.mailbox.test_pull import ARRIVED, inbox_files, run_pull

STRANGER = "nguoi.la@nguoi-la.example"


def _tuphap(capsys: pytest.CaptureFixture[str], base: Path, *args: str) -> tuple[int, str]:
    code = main(["held", *args, "--warehouse", str(base / "warehouse.duckdb"),
                 "--inbox", str(base / "inbox")])
    out, err = capsys.readouterr()
    return code, out + err


def test_held_mail_is_listed_released_and_dropped(
        tmp_path: Path, imap: ImapServer, report: bytes,
        capsys: pytest.CaptureFixture[str]) -> None:
    imap.append(unit_mail(STRANGER, "Báo cáo Lạng Sơn", "Gửi hộ báo cáo.",
                          (("Báo cáo 2024.xlsx", report),)).as_bytes(), when=ARRIVED)
    imap.append(unit_mail(STRANGER, "Quảng cáo", "Mua ngay!").as_bytes(), when=ARRIVED)
    pulled = run_pull(tmp_path, imap)
    assert (pulled.files, len(pulled.held)) == (0, 2)
    assert inbox_files(tmp_path) == []

    code, listing = _tuphap(capsys, tmp_path, "list")
    assert code == 0 and STRANGER not in listing and "from n***@..." in listing
    assert listing.count("held: the sender is not an officer in the contacts register") == 2
    # Both arrived at once: each is found by its subject, not by its place in the list.
    def held_id(subject: str) -> str:
        [line] = [line for line in listing.splitlines() if line.endswith(f"  {subject}")]
        return line.split()[0]

    first, second = held_id("Báo cáo Lạng Sơn"), held_id("Quảng cáo")

    code, released = _tuphap(capsys, tmp_path, "release", first)
    assert code == 0, released
    assert inbox_files(tmp_path) == [name for name in inbox_files(tmp_path)
                                     if name.startswith("e-mail/2024-12-10/")]
    [name] = inbox_files(tmp_path)
    sha = hashlib.sha256((tmp_path / "inbox" / name).read_bytes()).hexdigest()
    assert sha == hashlib.sha256(report).hexdigest()
    # Received when its message arrived, as any mailed file (rpt_submissions, deadlines).
    assert arrival_times(engine_for(tmp_path / "warehouse.duckdb"))[sha] == ARRIVED
    code, again = _tuphap(capsys, tmp_path, "release", first)
    assert code != 0 and f"no message held under {first}" in again

    code, refused = _tuphap(capsys, tmp_path, "drop", second)
    assert code != 0 and "say why it is dropped" in refused
    code, dropped = _tuphap(capsys, tmp_path, "drop", second, "--note", "thư quảng cáo")
    assert code == 0, dropped
    assert _tuphap(capsys, tmp_path, "list")[1].strip() == "Nothing held."
    code, everything = _tuphap(capsys, tmp_path, "list", "--all")
    assert "[released: ]" in everything and "[dropped: thư quảng cáo]" in everything

"""The archive of received files: content-addressed, each content once, written atomically,
whether a file is read whole (small, the usual report) or copied in chunks (large)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from orchestration.ingest import inbox
from orchestration.ingest.inbox import Archive, archive_files


@pytest.mark.parametrize("small_file_bytes", [inbox.SMALL_FILE_BYTES, 0])
def test_each_content_is_archived_once_under_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_file_bytes: int
) -> None:
    monkeypatch.setattr(inbox, "SMALL_FILE_BYTES", small_file_bytes)  # 0: the chunked path
    received = tmp_path / "inbox"
    received.mkdir()
    report = b"PK\x03\x04" + bytes(range(256)) * 64
    (received / "2022_STP-10.xlsx").write_bytes(report)
    (received / "same report, new name.xlsx").write_bytes(report)
    (received / "2023_STP-10.csv").write_bytes(b"unit_code,year\nSTP-10,2023\n")
    folder = tmp_path / "archive"

    archived = archive_files(sorted(received.iterdir()), folder)

    assert [sha for sha, _ in archived] == [hashlib.sha256(p.read_bytes()).hexdigest()
                                           for p in sorted(received.iterdir())]
    for sha, path in archived:
        assert path == folder / sha[:2] / sha
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert len({path for _, path in archived}) == 2  # the same content is kept once
    assert not [p for p in folder.rglob("*") if p.name.endswith(".partial")]
    # Archiving again finds everything there: nothing is copied, nothing to sync.
    again = Archive(folder)
    assert [again.add(p) for p in sorted(received.iterdir())] == archived
    assert not again._unsynced  # noqa: SLF001 - nothing new, so no filesystem sync


@pytest.mark.parametrize("small_file_bytes", [inbox.SMALL_FILE_BYTES, 0])
def test_a_copy_left_partial_by_a_crash_is_archived_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_file_bytes: int
) -> None:
    monkeypatch.setattr(inbox, "SMALL_FILE_BYTES", small_file_bytes)
    report = tmp_path / "2022_STP-10.xlsx"
    report.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 64)
    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    folder = tmp_path / "archive"
    # A power cut after the rename, before the load's sync: the name, not the content.
    damaged = folder / sha[:2] / sha
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"")

    # A hash the warehouse recorded was synced by its load: trusted without reading it.
    assert Archive(folder, recorded={sha}).add(report) == (sha, damaged)
    assert damaged.read_bytes() == b""
    # Any other existing copy is checked, and replaced when it does not hold its content.
    archive = Archive(folder)
    assert archive.add(report) == (sha, damaged)
    assert damaged.read_bytes() == report.read_bytes()
    assert archive._unsynced  # noqa: SLF001 - the new copy still needs its sync
    assert not [p for p in folder.rglob("*") if p.name.endswith(".partial")]

"""What the inbox holds besides reports (orchestration/ingest/entries.py), on a real inbox: a
symbolic link to a valid report, a FIFO, a socket, an empty folder, hidden and lock files. None
is read, none is silently ignored: each is recorded with its reason by the real ingest
(receive.py) in raw.skipped_inbox_entries, under the load that saw it."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
from pathlib import Path

import duckdb
import pytest

from ingest.sample import write_sample
from orchestration.ingest.entries import SKIP_REASONS, InboxScan, kind_of, scan_entries
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.receive import Received
from tests.orchestration.ingest.published import receive_published


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A sample inbox, one report of which is only linked in, plus entries that are not files."""
    folder = tmp_path / "inbox"
    write_sample(folder, years=[2022], include_flawed=False)
    elsewhere = tmp_path / "gathered elsewhere"
    elsewhere.mkdir()
    linked = sorted(folder.glob("*.xlsx"))[0]
    shutil.move(linked, elsewhere / linked.name)
    (folder / linked.name).symlink_to(elsewhere / linked.name)  # a valid report, linked in
    (folder / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (folder / "linked folder").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(folder / "pipe.csv")
    (folder / "empty").mkdir()
    nested = folder / "2022" / "late"
    nested.mkdir(parents=True)
    shutil.copy(sorted(folder.glob("*.csv"))[0], nested / "copied.csv")  # walked into
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "~$report.xlsx").write_bytes(b"lock")
    (folder / "report.xlsx.crdownload").write_bytes(b"PK")
    return folder


def _scan(folder: Path) -> InboxScan:
    """scan_entries, failing instead of hanging if it ever opened the FIFO."""
    found: list[InboxScan] = []
    worker = threading.Thread(target=lambda: found.append(scan_entries(folder)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert found, "scanning the inbox blocked: a FIFO was opened"
    return found[0]


def _receive(files: InboxScan, database: Path, load_id: str) -> Received:
    return receive_published(files.files, database, years={2022}, load_id=load_id,
                             skipped=files.skipped)


def test_every_entry_that_is_not_a_report_is_skipped_with_its_reason(inbox: Path) -> None:
    scan = _scan(inbox)
    kinds = {entry.name: entry.kind for entry in scan.skipped}
    linked = next(name for name, kind in kinds.items()
                  if kind == "symlink" and name.endswith(".xlsx") and name != "dangling.xlsx")
    assert kinds == {
        linked: "symlink", "dangling.xlsx": "symlink", "linked folder": "symlink",
        "pipe.csv": "fifo", ".DS_Store": "hidden", "~$report.xlsx": "office_lock",
        "report.xlsx.crdownload": "partial_download",
    }
    assert {entry.reason for entry in scan.skipped if entry.kind == "symlink"} == {
        "symbolic link, not followed (copy the file itself into the inbox)"}
    # Sub-folders are walked into; an empty one holds nothing to skip.
    names = [item.name for item in scan.files]
    assert "2022/late/copied.csv" in names
    assert not [name for name in [*names, *kinds] if name.startswith("empty")]
    assert linked not in names
    # The same order as before the scan recorded skipped entries, and the same files.
    assert [item.path for item in scan.files] == [
        p for p in sorted(inbox.rglob("*"))
        if p.is_file() and not p.is_symlink() and kind_of(p.name, p.lstat().st_mode) is None]
    assert scan_inbox(inbox) == scan.files


def test_kinds_come_from_the_entry_itself_not_its_name() -> None:
    report = stat.S_IFREG | 0o644
    assert kind_of("2022_STP-10.xlsx", report) is None
    assert kind_of("2022_STP-10.xlsx", stat.S_IFLNK | 0o777) == "symlink"
    assert kind_of("2022_STP-10.xlsx", stat.S_IFSOCK) == "socket"
    assert kind_of("2022_STP-10.xlsx", stat.S_IFCHR) == "device"
    assert kind_of("x.tmp", report) == "temporary"
    assert kind_of("x.xlsx.part", report) == "partial_download"
    assert set(SKIP_REASONS) >= {"symlink", "fifo", "unreadable", "vanished"}


def test_a_socket_in_the_inbox_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "i"  # a short path: a socket's path has a length limit
    folder.mkdir()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "s"))
        assert [(e.name, e.kind) for e in scan_entries(folder).skipped] == [("s", "socket")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_files_and_folders_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "locked").mkdir(parents=True)
    (folder / "secret.xlsx").write_bytes(b"PK")
    (folder / "secret.xlsx").chmod(0)
    (folder / "locked").chmod(0)
    try:
        kinds = {e.name: e.kind for e in scan_entries(folder).skipped}
    finally:
        (folder / "locked").chmod(0o755)
    assert kinds == {"secret.xlsx": "unreadable", "locked": "unreadable_folder"}


def test_the_ingest_records_skipped_entries_under_its_load_and_never_loads_a_link(
    inbox: Path, tmp_path: Path
) -> None:
    database = tmp_path / "w.duckdb"
    scan = _scan(inbox)
    gone, replaced = scan.files[-1], scan.files[-2]
    # After the scan, before the ingest reads them: one file removed, one replaced by a folder.
    gone.path.unlink()
    replaced.path.unlink()
    replaced.path.mkdir()

    received = _receive(scan, database, "load-1")

    skipped = {row["file"]: row["kind"] for row in received.skipped}
    assert skipped[gone.name] == "vanished"
    assert skipped[replaced.name] == "unreadable"
    assert {row["reason"] for row in received.skipped if row["file"] == replaced.name} == {
        "file that cannot be read (Is a directory)"}
    assert len(skipped) == len(scan.skipped) + 2
    assert received.summary().endswith(f"; skipped {len(skipped)} inbox entries")
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select path, kind, reason, load_id from raw.skipped_inbox_entries"
                           " order by path").fetchall()
        sources = {name for (name,) in con.execute(
            "select source_file from raw.file_receipts").fetchall()}
    assert {(path, kind) for path, kind, _, _ in rows} == set(skipped.items())
    assert {load for *_, load in rows} == {"load-1"}
    assert all(reason for _, _, reason, _ in rows)
    linked = [e.name for e in scan.skipped if e.kind == "symlink"]
    assert not sources & {*linked, gone.name, replaced.name, "pipe.csv"}
    assert "2022/late/copied.csv" in sources

    # The next load records what it sees again, under its own id.
    again = _receive(_scan(inbox), database, "load-2")
    assert {row["file"] for row in again.skipped} == {e.name for e in scan.skipped}
    with duckdb.connect(str(database), read_only=True) as con:
        loads = dict(con.execute("select load_id, count(*) from raw.skipped_inbox_entries"
                                 " group by all").fetchall())
    assert loads == {"load-1": len(scan.skipped) + 2, "load-2": len(scan.skipped)}

"""One load's ingest without Dagster (orchestration/ingest/receive.py): a real sample inbox, a
real DuckDB build, the raw rows it writes, and what a second ingest finds to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.sample import write_sample
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.receive import Received
from tests.orchestration.ingest.published import receive_published


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    write_sample(folder, years=[2022, 2023])
    return folder


def _receive(inbox: Path, database: Path, years: set[int]) -> Received:
    return receive_published(scan_inbox(inbox), database, years=years)


def _rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_first_ingest_writes_every_file_and_the_submissions_of_its_years(
    inbox: Path, tmp_path: Path
) -> None:
    database = tmp_path / "w.duckdb"
    received = _receive(inbox, database, {2022})

    files = len(scan_inbox(inbox))
    assert received.inbox_files == files
    assert received.new_rows["received_files"] == received.new_rows["file_receipts"] == files
    assert received.new_rows["submissions"] == len(received.loaded) > 0
    assert {row["year"] for row in received.loaded} == {2022}
    assert received.new_rows["submission_values"] == _rows(
        database, "select count(*) from raw.submission_values")[0][0]
    assert len(received.rejected) == received.rejected_files_total == 2
    assert received.accepted_files_total + received.rejected_files_total == files
    assert all(row["code"] and row["reason"] for row in received.rejected)
    assert received.summary().startswith(f"inbox: {files} files; loaded ")
    # Every received file is in the archive, under its hash.
    for sha, path in _rows(database, "select sha256, archive_path from raw.received_files"):
        assert Path(path).name == sha and Path(path).exists()


def test_a_second_ingest_writes_only_what_is_new(inbox: Path, tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    _receive(inbox, database, {2022})
    before = _rows(database, "select * from raw.submissions order by all")

    again = _receive(inbox, database, {2022})
    assert set(again.new_rows.values()) == {0}
    assert again.loaded == [] and again.rejected == []
    assert _rows(database, "select * from raw.submissions order by all") == before

    # The other year comes from the archive: the inbox may be empty by then.
    emptied = tmp_path / "empty-inbox"
    emptied.mkdir()
    later = _receive(emptied, database, {2022, 2023})
    assert later.inbox_files == 0 and later.new_rows["file_receipts"] == 0
    assert {row["year"] for row in later.loaded} == {2023}
    years = dict(_rows(database, "select year, count(*) from raw.submissions group by 1"))
    assert set(years) == {2022, 2023}


def test_the_same_content_under_a_new_name_is_a_receipt_not_a_new_file(
    inbox: Path, tmp_path: Path
) -> None:
    database = tmp_path / "w.duckdb"
    _receive(inbox, database, {2022})
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    first = sorted(inbox.iterdir())[0]
    shutil.copy(first, renamed / f"copy of {first.name}")
    received = _receive(renamed, database, {2022})
    assert received.new_rows == {"received_files": 0, "file_receipts": 1, "submissions": 0,
                                 "submission_values": 0, "target_decisions": 0,
                                 "target_values": 0}

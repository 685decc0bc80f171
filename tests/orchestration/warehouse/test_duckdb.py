"""The DuckDB engine's build-copy-and-swap publish and its load lock, on real files and real
processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.duckdb import WarehouseBuild, build_dir, load_lock
from orchestration.warehouse.engine import LoadInProgressError, engine_for, transaction


def _write(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create or replace table t as select ? as v", [value])
    con.close()


def _read(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select v from t").fetchone()[0]
    finally:
        con.close()


def test_publish_swaps_in_the_build_and_leaves_open_readers_working(tmp_path: Path) -> None:
    published = tmp_path / "w.duckdb"
    _write(published, 1)
    reader = duckdb.connect(str(published), read_only=True)

    build = WarehouseBuild(published)
    build.prepare()
    assert _read(build.path) == 1  # the build starts as a copy of what is published
    _write(build.path, 2)
    assert _read(published) == 1  # nothing visible before publish
    build.publish()

    assert reader.execute("select v from t").fetchone()[0] == 1  # old snapshot still readable
    reader.close()
    assert _read(published) == 2
    assert not build.path.exists()


def test_prepare_removes_debris_of_a_killed_load(tmp_path: Path) -> None:
    published = tmp_path / "w.duckdb"
    debris = build_dir(published) / "dead.duckdb"
    debris.parent.mkdir(parents=True)
    debris.write_bytes(b"half written")
    build = WarehouseBuild(published)
    build.prepare()
    assert not debris.exists()
    assert not build.path.exists()  # nothing published yet: the build starts empty


def test_second_load_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    published = tmp_path / "w.duckdb"
    with load_lock(published):
        with pytest.raises(LoadInProgressError, match=r"another load is running .*pid \d+"):
            with load_lock(published, timeout_seconds=0.3):
                pass


def test_lock_of_a_killed_process_does_not_block_the_next_load(tmp_path: Path) -> None:
    published = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from pathlib import Path
            from orchestration.warehouse.duckdb import load_lock
            with load_lock(Path({str(published)!r})):
                print("locked", flush=True)
                time.sleep(600)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LoadInProgressError):
            with load_lock(published, timeout_seconds=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    # Free as soon as the holder is gone (the kernel drops a dead process's locks): no wait.
    with load_lock(published, timeout_seconds=0):
        pass


def test_transaction_publishes_on_success_and_not_on_error(tmp_path: Path) -> None:
    published = tmp_path / "w.duckdb"
    _write(published, 1)
    with transaction(engine_for(published)) as con:
        con.execute("update t set v = 5")
    assert _read(published) == 5
    with pytest.raises(RuntimeError):
        with transaction(engine_for(published)) as con:
            con.execute("update t set v = 9")
            raise RuntimeError("boom")
    assert _read(published) == 5
    assert list(build_dir(published).iterdir()) == []

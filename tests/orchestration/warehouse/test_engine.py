"""The engine seam (orchestration/warehouse/engine.py), on its DuckDB engine: what a load asks of
any engine, on real files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.ingest.raw_schema import ensure_raw_schema
from orchestration.ingest.rows import new_batch
from orchestration.warehouse.batch import RawBatch
from orchestration.warehouse.duckdb import DuckDBWarehouse, build_file
from orchestration.warehouse.engine import WarehouseMissingError, engine_for, transaction
from orchestration.warehouse.postgres import PostgresWarehouse

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def raw_batch(sha: str, value: float, *, receipt: bool = True,
              archive_path: str | None = None) -> RawBatch:
    """One accepted file with one figure (and its receipt: a load adds only new receipts)."""
    batch = new_batch()
    batch.received.append({
        "sha256": sha, "source_file": "a.xlsx", "archive_path": archive_path or f"/archive/{sha}",
        "size_bytes": 10, "received_at": NOW, "file_modified_at": None, "file_kind": "xlsx",
        "status": "accepted", "reason_code": None, "reason": None, "rejection_year": None,
        "rejection_unit_code": None, "years": [2022], "parsed_scope": "cluster",
        "parse_notes": ["a note"]})
    if receipt:
        batch.receipts.append({"sha256": sha, "source_file": "a.xlsx", "first_seen_at": NOW})
    sid = f"{sha}:STP-10:2022:PBGDPL"
    batch.submissions.append({
        "submission_id": sid, "sha256": sha, "source_file": "a.xlsx", "unit_code": "STP-10",
        "province_code": "10", "year": 2022, "form": "PBGDPL", "report_date": None,
        "unit_name_reported": None, "sheet_name": None, "received_at": NOW,
        "file_modified_at": None, "loaded_at": NOW})
    batch.values.extend({"submission_id": [sid], "subunit": [None], "subunit_order": [0],
                         "indicator": ["sessions"], "value": [value], "decimals": [0],
                         "source_cell": ["PBGDPL!C9"]})
    return batch


def test_a_path_selects_the_duckdb_engine_and_a_server_url_the_postgresql_one(
    tmp_path: Path
) -> None:
    engine = engine_for(tmp_path / "w.duckdb")
    assert isinstance(engine, DuckDBWarehouse) and engine.kind == "duckdb"
    assert engine.address == str(tmp_path / "w.duckdb")
    assert engine.archive_dir == tmp_path / "archive" and engine.logs_dir == tmp_path / "logs"
    # dbt builds the load's private copy, never the published file.
    assert engine.dbt_environment() == {"TUPHAP_DBT_DB_PATH": build_file(engine.path).name,
                                        "TUPHAP_DBT_WORKDIR": str(build_file(engine.path).parent)}
    server = engine_for("postgresql://loader:s3cret@db.example:5433/tuphap?sslmode=require")
    assert isinstance(server, PostgresWarehouse) and server.kind == "postgres"
    # The address runs carry and the CLI prints: never the password.
    assert server.address == "postgresql://loader@db.example:5433/tuphap?sslmode=require"
    assert "s3cret" not in repr(server) and server.local_dir.name == "db.example-5433-tuphap"
    with pytest.raises(ValueError, match="must name dbname"):
        engine_for("postgresql://loader@db.example:5432")


def test_raw_rows_are_written_in_bulk_and_replaced_by_key(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "w.duckdb")
    with engine.load_lock():
        build = engine.start_build()
        with build.connect() as con:
            ensure_raw_schema(con)
            ensure_raw_schema(con)  # idempotent: every load runs it
        build.write_raw(new_batch())  # nothing to write: no transaction
        build.write_raw(raw_batch("s1", 5.0))
        build.write_raw(raw_batch("s1", 7.0, receipt=False))  # the same file parsed again
        with build.connect() as con:
            assert con.execute("select value from raw.submission_values").fetchall() == [(7.0,)]
            assert con.execute("select count(*) from raw.submissions").fetchone()[0] == 1
            assert con.execute("select years, parse_notes from raw.received_files"
                               ).fetchall() == [([2022], ["a note"])]
        build.discard()


def test_the_build_state_is_recorded_with_the_warehouse(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "w.duckdb")
    with engine.load_lock():
        build = engine.start_build()
        assert build.read_build_state() is None
        build.record_build_state(inputs='{"a": 1}', plan="full", reason="first")
        build.record_build_state(inputs='{"a": 2}', plan="none", reason="again")
        assert build.read_build_state() == '{"a": 2}'
        build.publish()
        build.discard()
        later = engine.start_build()  # the state was published with the warehouse it built
        assert later.read_build_state() == '{"a": 2}'
        later.discard()


def test_a_build_is_published_with_its_metadata_or_discarded(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "w.duckdb")
    assert not engine.exists()
    with pytest.raises(WarehouseMissingError), engine.read_only():
        pass
    with pytest.raises(WarehouseMissingError), transaction(engine):
        pass
    with engine.load_lock():
        build = engine.start_build()
        with build.connect() as con:
            con.execute("create table t as select 1 as v")
        published = build.publish()
        build.discard()
    assert published == {"path": engine.address, "size_bytes": engine.path.stat().st_size}
    with transaction(engine) as con:
        con.execute("update t set v = 2")
    with engine.read_only() as con:
        assert con.execute("select v from t").fetchone()[0] == 2
    assert list(build.folder.iterdir()) == []

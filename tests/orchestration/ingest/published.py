"""Ingest straight into a warehouse: one real build of it, published (no dbt, no Dagster)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.limits import DEFAULT_LIMITS
from ingest.reference import load_registry
from orchestration.ingest.entries import SkippedEntry
from orchestration.ingest.inbox import InboxFile
from orchestration.ingest.receive import Received, receive
from orchestration.warehouse.engine import engine_for


def receive_published(files: Sequence[InboxFile], database: Path, *, years: set[int],
                      load_id: str = "test-load", skipped: Sequence[SkippedEntry] = ()
                      ) -> Received:
    """`receive` the files into a build of the DuckDB warehouse `database`, then publish it."""
    engine = engine_for(database)
    with engine.load_lock():
        build = engine.start_build()
        try:
            received = receive(files, build=build, archive_dir=engine.archive_dir, years=years,
                               scope="cluster", limits=DEFAULT_LIMITS,
                               registry=load_registry(), now=datetime.now(UTC),
                               load_id=load_id, skipped=skipped)
            build.publish()
        finally:
            build.discard()
    return received

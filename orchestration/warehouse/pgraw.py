"""Raw rows to a PostgreSQL build with COPY, and every received file's content kept in the
database.

A national load writes ~280.000 figures: COPY streams them (psycopg 3) instead of one INSERT per
row. Rows whose keys a batch carries are deleted first, so re-runs stay idempotent, and the whole
batch is one transaction.

Loads may run from different machines, so each machine's archive folder is only a local copy:
the content of every received file, accepted or rejected, goes to
`tuphap_meta.received_file_contents` (content-addressed, the national inbox is ~15 MB), in the
batch's transaction. It is written outside the build schemas on purpose: a file received by a
load that fails later is kept all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from psycopg import sql

from orchestration.warehouse.batch import Columns, RawBatch
from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.pgpublish import META_SCHEMA


def _copy(raw: Any, table: tuple[str, str], columns: Columns) -> None:
    if not len(columns):
        return
    statement = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(*table), sql.SQL(", ").join(map(sql.Identifier, columns.names)))
    data = [columns.data[name] for name in columns.names]
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in zip(*data, strict=True):
            copy.write_row(row)


def _delete(raw: Any, table: tuple[str, str], key: str, values: Sequence[Any]) -> None:
    if values:
        raw.execute(sql.SQL("delete from {} where {} = any(%s)").format(
            sql.Identifier(*table), sql.Identifier(key)), [list(values)])


def write_batch(con: PostgresConnection, batch: RawBatch) -> None:
    """Write one batch into the build's raw schema, atomically."""
    if batch.empty:
        return
    raw_schema = con.schemas.get("raw", "raw")
    raw = con.raw
    with raw.transaction():
        shas = batch.received.data["sha256"]
        _delete(raw, (raw_schema, "received_files"), "sha256", shas)
        _copy(raw, (raw_schema, "received_files"), batch.received)
        _copy(raw, (raw_schema, "file_receipts"), batch.receipts)
        ids = batch.submissions.data["submission_id"]
        _delete(raw, (raw_schema, "submission_values"), "submission_id", ids)
        _delete(raw, (raw_schema, "submissions"), "submission_id", ids)
        _copy(raw, (raw_schema, "submissions"), batch.submissions)
        _copy(raw, (raw_schema, "submission_values"), batch.values)
        decisions = batch.decisions.data["decision_id"]
        _delete(raw, (raw_schema, "target_values"), "decision_id", decisions)
        _delete(raw, (raw_schema, "target_decisions"), "decision_id", decisions)
        _copy(raw, (raw_schema, "target_decisions"), batch.decisions)
        _copy(raw, (raw_schema, "target_values"), batch.targets)
        keep_contents(raw, zip(shas, batch.received.data["archive_path"], strict=True))


def keep_contents(raw: Any, files: Any) -> int:
    """Store the content of each (sha256, archived copy) the database does not hold yet."""
    wanted = dict(files)
    if not wanted:
        return 0
    held = {row[0] for row in raw.execute(
        f"select sha256 from {META_SCHEMA}.received_file_contents"  # noqa: S608 - constant
        " where sha256 = any(%s)", [list(wanted)]).fetchall()}
    missing = {sha: path for sha, path in wanted.items() if sha not in held}
    if not missing:
        return 0
    statement = sql.SQL("copy {} (sha256, size_bytes, content) from stdin").format(
        sql.Identifier(META_SCHEMA, "received_file_contents"))
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for sha, path in sorted(missing.items()):
            content = Path(path).read_bytes()
            copy.write_row((sha, len(content), content))
    return len(missing)


def restore_contents(con: PostgresConnection, wanted: dict[str, Path]) -> list[str]:
    """Write the files in `wanted` (sha256 -> where this machine's archive keeps it) that are
    not on this machine from the database's copies; returns the sha256 restored."""
    absent = {sha: path for sha, path in wanted.items() if not path.exists()}
    if not absent:
        return []
    restored = []
    for sha, content in con.raw.execute(
            f"select sha256, content from {META_SCHEMA}.received_file_contents"  # noqa: S608
            " where sha256 = any(%s)", [list(absent)]).fetchall():
        target = absent[sha]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        partial.write_bytes(bytes(content))
        partial.replace(target)
        restored.append(sha)
    return restored

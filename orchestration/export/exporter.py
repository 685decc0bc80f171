"""Export one public table of the warehouse as xlsx (for people) or CSV (for machines).

DuckDB's own COPY cannot write xlsx here (its excel extension cannot be installed offline) and
writes "=HYPERLINK(…)" through unchanged, so the files are written in Python: rows are read
through the connection handed in, with the table name checked against the public tables and
the filters bound as parameters (orchestration.export.tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.vn_format import format_number
from orchestration.export.files import ExportInfo, write_csv, write_xlsx
from orchestration.export.tables import ExportError, build_query, normalise_province, public_table
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import run_query

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    table: str
    fmt: str
    columns: tuple[str, ...]
    row_count: int


def filters_text(year: int | None, province: str | None) -> str:
    """The filters as the "Thông tin" sheet states them, in Vietnamese."""
    parts = []
    if year is not None:
        parts.append(f"năm {year}")
    if province is not None:
        parts.append(f"tỉnh mã {normalise_province(province)}")
    return "; ".join(parts) if parts else "không lọc (toàn bộ bảng)"


def export_table(connection: Connection, table: str, *, fmt: str, year: int | None = None,
                 province: str | None = None, out_path: Path | str, warehouse_label: str,
                 load_info: str, column_docs: Mapping[str, str], table_doc: str = "",
                 now: datetime | None = None) -> ExportResult:
    """Write `table` (filtered by year and province) to `out_path` as `fmt` ("xlsx"/"csv").

    `warehouse_label` and `load_info` say where the data comes from (the "Thông tin" sheet of
    an xlsx); `column_docs` maps a column to its description (orchestration.export.docs).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    spec = public_table(table)
    query = build_query(spec, year=year, province=province)
    columns, rows = run_query(connection, query.sql, query.params)
    out = Path(out_path)
    if fmt == "csv":
        write_csv(out, columns, rows)
    else:
        info = ExportInfo(table=spec.name, table_doc=table_doc,
                          filters=filters_text(year, province), warehouse=warehouse_label,
                          load=load_info, exported_at=now or datetime.now(UTC),
                          row_count=len(rows))
        write_xlsx(out, columns, rows, info, column_docs)
    return ExportResult(out, spec.name, fmt, tuple(columns), len(rows))


def describe_load(connection: Connection) -> str:
    """The load a warehouse comes from, in Vietnamese: when its dbt build ran and what it
    rebuilt, and when its newest file was received. Never fails: a warehouse built before the
    build state existed, or a role that cannot read the raw layer, just says less."""
    parts: list[str] = []
    built = _optional_row(connection, "select built_at, plan from meta.dbt_build_state "
                                      "order by built_at desc limit 1")
    if built is not None:
        parts.append(f"dựng lúc {_when(built[0])} (kế hoạch dbt: {built[1]})")
    received = _optional_row(connection, "select count(*), max(received_at) "
                                         "from raw.received_files")
    if received is not None and received[0]:
        parts.append(f"{format_number(received[0])} tệp đã nhận, tệp mới nhất nhận lúc "
                     f"{_when(received[1])}")
    return "; ".join(parts) or "không rõ (kho không ghi lại lần nạp)"


def _optional_row(connection: Connection, sql: str) -> tuple[Any, ...] | None:
    """The first row of a query that may fail (a table this warehouse does not have). After a
    failure the transaction is rolled back, as PostgreSQL requires before the next query."""
    try:
        rows = run_query(connection, sql)[1]
    except Exception:  # noqa: BLE001 - any failure means "not known"
        with suppress(Exception):
            connection.rollback()
        return None
    return tuple(rows[0]) if rows else None


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%d/%m/%Y %H:%M") + " UTC"
    return str(value)


__all__ = ["FORMATS", "ExportResult", "describe_load", "export_table", "filters_text"]

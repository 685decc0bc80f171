"""The public tables an export may read, and the query for one table and its filters.

Only the tables of warehouse-contract.md (and the documented additions in README.md) can be
exported: the table name a user types is looked up here, so every identifier in an export's
SQL is one this module wrote, and the filter values are bound as parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.errors import TuphapError


class ExportError(TuphapError, ValueError):
    """The export cannot be made as asked (unknown table, a filter the table has no column
    for, a malformed province code); the message says why."""


@dataclass(frozen=True)
class PublicTable:
    name: str
    order_by: tuple[str, ...]
    year: str | None  # "column": a `year` column; "validity": versions valid during year N
    province: str | None  # the column holding the province code; "unit_code" for rejections


def _fact(name: str) -> PublicTable:
    return PublicTable(name, ("province_code", "year"), "column", "province_code")


def _current(name: str) -> PublicTable:
    """A fact summed over today's provinces (the *_current_boundaries tables)."""
    return PublicTable(name, ("current_province_code", "year"), "column",
                       "current_province_code")


PUBLIC_TABLES: dict[str, PublicTable] = {t.name: t for t in (
    _fact("fct_dissemination"),
    _fact("fct_mediation"),
    _fact("fct_enforcement"),
    _current("fct_dissemination_current_boundaries"),
    _current("fct_mediation_current_boundaries"),
    _current("fct_enforcement_current_boundaries"),
    PublicTable("dim_province", ("province_code", "valid_from"), "validity", "province_code"),
    PublicTable("dim_unit", ("unit_code", "valid_from"), "validity", "province_code"),
    PublicTable("dim_reporting_period", ("unit_type", "form", "year"), "column", None),
    PublicTable("rpt_cluster_year", ("year",), "column", None),
    PublicTable("rpt_national_year", ("year",), "column", None),
    PublicTable("fct_target_achievement", ("year", "unit_code", "indicator"), "column",
                "province_code"),
    PublicTable("dq_issues", ("year", "unit_code", "rule_id", "fingerprint"), "column",
                "province_code"),
    PublicTable("rejected_reports", ("received_at", "source_file", "sha256"), "column",
                "unit_code"),
    PublicTable("rpt_submissions", ("year", "unit_code", "form"), "column", "province_code"),
)}

_PROVINCE = re.compile(r"\d{1,2}")


def public_table(name: str) -> PublicTable:
    table = PUBLIC_TABLES.get(name.strip().lower())
    if table is None:
        raise ExportError(f"unknown table {name!r}; public tables: {', '.join(PUBLIC_TABLES)}")
    return table


def normalise_province(code: str) -> str:
    """"8", "08" -> "08": the GSO code as the warehouse stores it (two digits, leading zero)."""
    text = code.strip()
    if not _PROVINCE.fullmatch(text):
        raise ExportError(f"province code {code!r} is not a GSO code such as 08 or 15")
    return f"{int(text):02d}"


@dataclass(frozen=True)
class Query:
    """SQL with `?` placeholders (every engine connection takes them: warehouse/sql.py) and
    the values bound to them."""

    sql: str
    params: tuple[object, ...]


def build_query(table: PublicTable, *, year: int | None = None,
                province: str | None = None) -> Query:
    """`select *` of one public table, filtered by year and province, in a stable order."""
    where: list[str] = []
    params: list[object] = []
    if year is not None:
        if table.year == "column":
            where.append("year = ?")
            params.append(int(year))
        elif table.year == "validity":  # versions valid at some time during calendar year N
            where.append("(valid_from is null or valid_from <= ?)"
                         " and (valid_to is null or valid_to >= ?)")
            params += [date(year, 12, 31), date(year, 1, 1)]
        else:
            raise ExportError(f"{table.name} has no year to filter on")
    if province is not None:
        code = normalise_province(province)
        if table.province is None:
            raise ExportError(f"{table.name} is not broken down by province")
        if table.province == "unit_code":  # a rejection knows its unit (STP-PP, THADS-PP)
            where.append("unit_code in (?, ?)")
            params += [f"STP-{code}", f"THADS-{code}"]
        else:
            where.append(f"{table.province} = ?")
            params.append(code)
    # Identifiers from PUBLIC_TABLES only, never the user's text; values are bound.
    sql = f"select * from {table.name}"  # noqa: S608
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by " + ", ".join(f"{column} nulls first" for column in table.order_by)
    return Query(sql, tuple(params))


__all__ = ["PUBLIC_TABLES", "ExportError", "PublicTable", "Query", "build_query",
           "normalise_province", "public_table"]

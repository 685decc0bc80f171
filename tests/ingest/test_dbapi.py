"""One `?`-placeholder query for every DB-API driver the warehouse hands around."""

from __future__ import annotations

import duckdb
import pytest

from ingest.dbapi import paramstyle, query_dicts, run_query, to_paramstyle


def test_duckdb_takes_the_question_marks_as_they_are() -> None:
    con = duckdb.connect()
    assert paramstyle(con) == "qmark"
    assert run_query(con, "select ? as a, ? as b", (1, "x")) == (["a", "b"], [(1, "x")])
    assert query_dicts(con, "select ? as a", ("50%",)) == [{"a": "50%"}]


def test_format_drivers_get_percent_s_and_their_literal_percents_escaped() -> None:
    sql = "select * from t where a = ? and b like 'x%'"
    assert to_paramstyle(sql, "pyformat") == "select * from t where a = %s and b like 'x%%'"
    assert to_paramstyle(sql, "qmark") == sql


def test_an_unknown_paramstyle_is_refused() -> None:
    with pytest.raises(ValueError, match="named"):
        to_paramstyle("select ?", "named")

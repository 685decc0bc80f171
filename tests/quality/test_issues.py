"""The issue history main.dq_issues on a real DuckDB file: merge, resolve, reopen, acknowledge,
list (orchestration/quality/issues.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from expectations.rules import Violation
from orchestration.quality.issue_table import format_issues_table
from orchestration.quality.issues import (
    acknowledge,
    fingerprint,
    list_issues,
    mark_alerted,
    merge_violations,
    pending_alerts,
    violation_fingerprint,
)
from orchestration.warehouse.duckdb import DuckDBConnection

T0 = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def enf05(resolved: int = 3569, eligible: int = 3500) -> Violation:
    return Violation("ENF-05", "error", "THADS_VIEC", "THADS-10", "10", 2024,
                     {"resolved": resolved, "eligible": eligible}, "Cục THADS tỉnh Lào Cai")


def dis01() -> Violation:
    return Violation("DIS-01", "warn", "PBGDPL", "STP-02", "02", 2023,
                     {"sessions": 120, "attendees": 100}, "Sở Tư pháp tỉnh Hà Giang")


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = DuckDBConnection.open(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def issue(con: duckdb.DuckDBPyConnection, fp: str) -> dict:
    rows = list_issues(con, status=None)
    return next(r for r in rows if r["fingerprint"] == fp)


def test_fingerprint_is_stable_and_value_sensitive() -> None:
    a = fingerprint("ENF-05", "THADS-10", 2024, "THADS_VIEC", {"resolved": 3569, "eligible": 3500})
    # key order, float-vs-int and numpy scalars do not matter...
    b = fingerprint("ENF-05", "THADS-10", 2024, "THADS_VIEC",
                    {"eligible": np.float64(3500.0), "resolved": np.int64(3569)})
    assert a == b
    assert len(a) == 64
    # ...but a different figure, unit, year or form is a different issue
    assert a != fingerprint("ENF-05", "THADS-10", 2024, "THADS_VIEC",
                            {"resolved": 3570, "eligible": 3500})
    assert a != fingerprint("ENF-05", "THADS-10", 2023, "THADS_VIEC",
                            {"resolved": 3569, "eligible": 3500})
    assert a != fingerprint("ENF-05", "THADS-10", 2024, "THADS_TIEN",
                            {"resolved": 3569, "eligible": 3500})
    # the message context (names) is not part of the identity
    renamed = Violation(**{**enf05().__dict__, "unit_name": "THADS tỉnh Lào Cai"})
    assert violation_fingerprint(renamed) == violation_fingerprint(enf05())


def test_new_violation_opens_an_issue_with_the_message(conn: duckdb.DuckDBPyConnection) -> None:
    result = merge_violations(conn, [enf05(), dis01(), enf05()], now=T0)  # duplicate collapses
    fp = violation_fingerprint(enf05())
    assert result.produced == 2
    assert set(result.new) == {fp, violation_fingerprint(dis01())}
    row = issue(conn, fp)
    assert row["status"] == "open"
    assert row["severity"] == "error"
    assert row["message"] == ("Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc"
                              " > có điều kiện 3.500 việc")
    assert json.loads(row["values"]) == {"resolved": 3569, "eligible": 3500}
    assert row["first_seen_at"] == row["last_seen_at"] == T0
    assert row["alerted_at"] is None and row["resolved_at"] is None
    assert result.by_rule["ENF-05"] == {"violations": 1, "open": 1, "acknowledged": 0}
    assert result.by_rule["ENF-01"] == {"violations": 0, "open": 0, "acknowledged": 0}


def test_lifecycle_open_seen_again_resolved_reopened(conn: duckdb.DuckDBPyConnection) -> None:
    fp = violation_fingerprint(enf05())
    merge_violations(conn, [enf05()], now=T0)
    mark_alerted(conn, [fp], T0)

    again = merge_violations(conn, [enf05()], now=T0 + timedelta(days=1))
    assert again.new == [] and again.resolved == [] and again.reopened == []
    row = issue(conn, fp)
    assert (row["status"], row["first_seen_at"], row["last_seen_at"]) == (
        "open", T0, T0 + timedelta(days=1))
    assert row["alerted_at"] == T0  # not alerted twice

    # the unit corrects its figures: the issue is resolved, kept, not deleted
    corrected = merge_violations(conn, [], now=T0 + timedelta(days=2))
    assert corrected.resolved == [fp]
    row = issue(conn, fp)
    assert row["status"] == "resolved"
    assert row["resolved_at"] == T0 + timedelta(days=2)
    assert list_issues(conn) == []  # no open issue left

    # the same wrong figures come back: open again, first_seen_at kept, to be alerted again
    back = merge_violations(conn, [enf05()], now=T0 + timedelta(days=3))
    assert back.reopened == [fp] and back.new == []
    row = issue(conn, fp)
    assert row["status"] == "open"
    assert row["first_seen_at"] == T0
    assert row["resolved_at"] is None and row["alerted_at"] is None
    assert [r["fingerprint"] for r in pending_alerts(conn)] == [fp]


def test_changed_figures_are_a_new_issue(conn: duckdb.DuckDBPyConnection) -> None:
    merge_violations(conn, [enf05(3569)], now=T0)
    result = merge_violations(conn, [enf05(3600)], now=T0 + timedelta(days=1))
    assert result.new == [violation_fingerprint(enf05(3600))]
    assert result.resolved == [violation_fingerprint(enf05(3569))]


def test_acknowledge(conn: duckdb.DuckDBPyConnection) -> None:
    merge_violations(conn, [enf05(), dis01()], now=T0)
    fp = violation_fingerprint(enf05())
    assert acknowledge(conn, fp[:12], "Đơn vị đã giải trình: số liệu đúng", now=T0)
    row = issue(conn, fp)
    assert row["status"] == "acknowledged"
    assert row["ack_note"] == "Đơn vị đã giải trình: số liệu đúng"
    assert row["acknowledged_at"] == T0
    # acknowledged issues are never alerted and stay acknowledged while still produced
    assert [r["rule_id"] for r in pending_alerts(conn)] == ["DIS-01"]
    result = merge_violations(conn, [enf05(), dis01()], now=T0 + timedelta(days=1))
    assert result.by_rule["ENF-05"] == {"violations": 1, "open": 0, "acknowledged": 1}
    assert issue(conn, fp)["status"] == "acknowledged"
    # ...and resolve like any other when corrected
    merge_violations(conn, [dis01()], now=T0 + timedelta(days=2))
    assert issue(conn, fp)["status"] == "resolved"
    assert not acknowledge(conn, fp, "too late")  # resolved: nothing to acknowledge


def test_acknowledge_rejects_unknown_short_or_ambiguous_keys(
        conn: duckdb.DuckDBPyConnection) -> None:
    merge_violations(conn, [enf05(), dis01()], now=T0)
    assert not acknowledge(conn, "0" * 64, "x")
    assert not acknowledge(conn, violation_fingerprint(enf05())[:7], "too short")
    assert not acknowledge(conn, "", "x")
    assert [r["status"] for r in list_issues(conn)] == ["open", "open"]


def test_list_filters_and_order(conn: duckdb.DuckDBPyConnection) -> None:
    other_year = Violation("ENF-05", "error", "THADS_TIEN", "THADS-10", "10", 2023,
                           {"resolved": 9, "eligible": 8}, "Cục THADS tỉnh Lào Cai")
    merge_violations(conn, [dis01(), enf05(), other_year], now=T0)
    everything = list_issues(conn)
    assert [(r["severity"], r["unit_code"], r["year"]) for r in everything] == [
        ("error", "THADS-10", 2023), ("error", "THADS-10", 2024), ("warn", "STP-02", 2023)]
    assert [r["year"] for r in list_issues(conn, year=2024)] == [2024]
    assert [r["rule_id"] for r in list_issues(conn, severity="warn")] == ["DIS-01"]
    assert len(list_issues(conn, unit="thads-10")) == 2
    assert list_issues(conn, status="resolved") == []
    with pytest.raises(ValueError):
        list_issues(conn, severity="fatal")


def test_format_issues_table(conn: duckdb.DuckDBPyConnection) -> None:
    merge_violations(conn, [dis01(), enf05()], now=T0)
    table = format_issues_table(list_issues(conn))
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "RULE", "UNIT", "YEAR", "FORM", "STATUS",
                                "MESSAGE"]
    assert lines[2].startswith(violation_fingerprint(enf05())[:12] + "  error")
    assert "giải quyết xong 3.569 việc > có điều kiện 3.500 việc" in lines[2]
    assert "DIS-01" in lines[3]
    # columns line up: every message starts at the same offset
    offset = lines[0].index("MESSAGE")
    assert lines[2][offset:].startswith("Cục THADS tỉnh Lào Cai")
    assert lines[3][offset:].startswith("Sở Tư pháp tỉnh Hà Giang")
    assert lines[-1] == "2 issue(s): 1 error(s), 1 warning(s)."
    assert format_issues_table([]) == "No issues."


def test_unknown_rule_is_rejected_and_history_kept(conn: duckdb.DuckDBPyConnection) -> None:
    merge_violations(conn, [enf05()], now=T0)
    bad = Violation("XXX-99", "error", None, "STP-01", "01", 2024, {})
    with pytest.raises(KeyError):
        merge_violations(conn, [bad], now=T0 + timedelta(days=1))
    assert issue(conn, violation_fingerprint(enf05()))["status"] == "open"


def test_read_only_listing(tmp_path: Path) -> None:
    """`tuphap issues` reads the published warehouse read-only, before or after any load."""
    path = tmp_path / "published.duckdb"
    DuckDBConnection.open(path).close()
    with DuckDBConnection.open(path, read_only=True) as ro:
        assert list_issues(ro) == []  # no dq_issues table yet: nothing, and nothing created
        assert not acknowledge(ro, "a" * 64, "x")
    with DuckDBConnection.open(path) as rw:
        merge_violations(rw, [enf05()], now=T0)
    with DuckDBConnection.open(path, read_only=True) as ro:
        assert [r["rule_id"] for r in list_issues(ro)] == ["ENF-05"]

"""What units would hear about after the demo load, read from the published warehouse the
same way on both engines (orchestration/correspondence/facts.py and plan.py): the SQL the
messages step runs on DuckDB and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from ingest.contacts import check_register
from ingest.reference import load_registry
from orchestration.correspondence.facts import missing_reports, open_issues, read_load_facts
from orchestration.correspondence.plan import plan_deadline_reminders, plan_receipts
from tests.correspondence.conftest import REGISTER
from tests.e2e.conftest import Published

pytestmark = pytest.mark.xdist_group("e2e")  # the shared demo loads

EVER = datetime(2000, 1, 1, tzinfo=UTC)


def test_receipts_and_reminders_read_the_same_on_both_engines(published: Published) -> None:
    registry = load_registry()
    contacts = check_register(REGISTER.read_text(encoding="utf-8"), registry).contacts
    with published.connect(True) as con:
        facts = read_load_facts(con, EVER)
        missing = missing_reports(con)
        issues = open_issues(con)
    now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    receipts = plan_receipts(facts, set(), contacts, registry, now, EVER)
    assert len(receipts.messages) == 14
    assert receipts.no_contact == {"STP-01"}  # the sample's out-of-scope Hà Nội report
    son_la = next(m for m in receipts.messages if m.unit_code == "THADS-14")
    assert "ĐÃ TIẾP NHẬN, thay thế báo cáo trước" in son_la.body
    assert "biểu THADS_VIEC, giải quyết xong: 4.376 → 4.956" in son_la.body
    assert all(r.address.endswith(".example") for m in receipts.messages for r in m.recipients)
    told = Counter(item for m in receipts.messages for item in m.items
                   if item.startswith("issue:"))
    assert set(told) == {f"issue:{i['fingerprint']}" for i in issues}
    # The sample reports 2018-2025: every year after it is missing, every form of every unit.
    assert missing and {row["year"] for row in missing} == set(
        range(2026, datetime.now(UTC).year + 1))
    reminders = plan_deadline_reminders(missing, set(), contacts, registry, now)
    # STP's 2026 report is due 15/12 (7 days before: today), THADS's 15/10 (weekly after).
    assert len(reminders.messages) == 14
    assert {m.attachment["year"] for m in reminders.messages if m.attachment} == {2026}

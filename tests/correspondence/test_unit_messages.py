"""Every unit hears about its own reports, and only its own: a real load of the sample with
the sample register, a real SMTP server (aiosmtpd) capturing every message."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import duckdb
import pytest

from ingest.reference import load_registry
from orchestration.correspondence.compose import TOKEN_LENGTH
from orchestration.correspondence.plan import answering_unit
from tests.correspondence.conftest import REFUSED, Correspondence, officers
from tests.e2e.conftest import tuphap

pytestmark = pytest.mark.xdist_group("tuphap_correspondence")
TOKEN = re.compile(r"\[#([0-9a-f]{" + str(TOKEN_LENGTH) + r"})\]")


def names_by_answering_unit() -> dict[str, set[str]]:
    """unit code -> every name its messages may use: its own over the years, and those of the
    units it answers for since the 2025 mergers (Lào Cai's THADS-10 -> THADS-15)."""
    registry, today = load_registry(), datetime.now(UTC).date()
    names: dict[str, set[str]] = {}
    for unit in registry.units:
        names.setdefault(answering_unit(registry, unit.unit_code, today), set()).add(
            unit.display_name)
    return names


def test_each_units_officers_hear_only_about_their_own_unit(
        sample_with_mail: Correspondence) -> None:
    people = officers()
    mails = sample_with_mail.first_mails
    assert len(mails) == 14 - 1  # the 14 units; Sơn La's STP officer's address is refused
    names = names_by_answering_unit()
    for mail in mails:
        units = {people[address] for address in mail.rcpt_to}
        assert len(units) == 1, mail.rcpt_to
        (unit,) = units
        assert mail.message["Auto-Submitted"] == "auto-generated"
        assert mail.subject.startswith("[tuphap] Đã nhận báo cáo năm")
        body = mail.body
        assert body.startswith("Kính gửi ")
        # No other unit of the same type is named (names of the other type differ in kind).
        others = {name for code, found in names.items() if code != unit
                  and code.split("-")[0] == unit.split("-")[0] for name in found} - names[unit]
        assert not [name for name in others if name + "," in body or name + "\n" in body]
        files = re.findall(r"^\d+\. Tệp (\S+)", body, re.MULTILINE)
        kind, province = unit.split("-")
        # Its own files, and those of the unit it answers for since 2025 (Hà Giang's 02 ->
        # Tuyên Quang's 08, Lào Cai's 10 -> 15).
        codes = {f"{kind}-{province}_"} | {f"{kind}-{old}_" for old, new in
                                            (("02", "08"), ("10", "15")) if new == province}
        assert files and all(any(code in f for code in codes) for f in files), files
        assert mail.message["Reply-To"] == "dulieu@tuphap.example"


def test_each_open_issue_reaches_its_unit_once_with_its_token(
        sample_with_mail: Correspondence) -> None:
    people = officers()
    with duckdb.connect(str(sample_with_mail.warehouse), read_only=True) as con:
        issues = dict(con.execute(
            "select fingerprint, unit_code from main.dq_issues where status = 'open'"
            " and rule_id not in ('TGT-01', 'GEN-04', 'GEN-01')").fetchall())
    told: Counter[str] = Counter()
    for mail in sample_with_mail.first_mails:
        (unit,) = {people[a] for a in mail.rcpt_to}
        for token in TOKEN.findall(mail.body):
            (fingerprint,) = [f for f in issues if f.startswith(token)]
            assert issues[fingerprint] == unit
            told[fingerprint] += 1
    refused_unit = people[REFUSED]
    assert {f for f in issues if issues[f] != refused_unit} == set(told)
    assert set(told.values()) == {1}
    assert "giải quyết xong 4.956 việc > có điều kiện 4.919 việc" in "".join(
        m.body for m in sample_with_mail.first_mails)


def test_the_load_reports_the_refused_address_and_the_units_without_contacts(
        sample_with_mail: Correspondence) -> None:
    out = sample_with_mail.first.stdout
    assert "Units: 13 message(s) sent to 13 unit(s); 1 delivery(ies) failed, retried next" \
           " time; no contact for STP-01" in out
    assert REFUSED not in out and "canbo" not in out
    alerts = (sample_with_mail.warehouse.parent / "alerts.log").read_text(encoding="utf-8")
    assert "Phát hiện mới: 4 lỗi, 3 cảnh báo." in alerts  # the data team's roll-up as ever


def test_a_second_load_sends_only_the_retry(sample_with_mail: Correspondence) -> None:
    sample_with_mail.smtp.handler.refuse.clear()
    second = tuphap(["load"], sample_with_mail.env)
    assert second.returncode == 0, second.stdout + second.stderr
    receipts = [m for m in sample_with_mail.smtp.mails
                if m.rcpt_to == [REFUSED] and m.subject.startswith("[tuphap] Đã nhận")]
    assert len(receipts) == 1  # retried once: by this load (or a reminder tick before it)
    ids = Counter(m.message["Message-ID"] for m in sample_with_mail.smtp.mails)
    assert set(ids.values()) == {1}
    before = len(sample_with_mail.smtp.mails)
    third = tuphap(["load"], sample_with_mail.env)
    assert len(sample_with_mail.smtp.mails) == before, third.stdout
    assert "Units: 0 message(s) sent to 0 unit(s)" in third.stdout

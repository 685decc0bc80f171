"""The contacts register: read row by row, wrong rows named with why, merged units answered
for by their successor, addresses masked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.contacts import check_register, mask, recipients
from ingest.reference import load_registry

HEADER = "unit_code,email,name,role,valid_from,valid_to\n"
SAMPLE = Path(__file__).resolve().parents[2] / "ingest" / "sample" / "contacts.csv"


def test_the_sample_register_is_good_and_uses_reserved_domains() -> None:
    check = check_register(SAMPLE.read_text(encoding="utf-8"), load_registry())
    assert check.ok, check.problems
    assert {c.email.rsplit(".", 1)[1] for c in check.contacts} == {"example"}
    officers = {c.unit_code for c in check.contacts if c.role == "officer"}
    assert len([u for u in officers if u.split("-")[1] not in ("02", "10")]) == 14


def test_each_wrong_row_is_named_with_why() -> None:
    text = HEADER + "\n".join([
        "STP-10,ok@lc.test,A,officer,01/01/2020,",
        "STP-99,x@lc.test,B,officer,,",
        "STP-10,not-an-address,C,officer,,",
        "STP-10,d@lc.test,D,boss,,",
        "STP-10,e@lc.test,E,officer,31/02/2020,",
        ",f@lc.test,F,officer,,",
        "STP-10,ok@LC.test,A,officer,2021-01-01,",
        "STP-10,g@lc.test,G,officer,01/01/2022,01/01/2021",
    ]) + "\n"
    check = check_register(text, load_registry())
    found = {p.row: p.text for p in check.problems}
    assert not check.ok
    assert "STP-99" in found[3] and "not a unit" in found[3]
    assert "email is not valid" in found[4]
    assert "role 'boss'" in found[5]
    assert "valid_from '31/02/2020' is not a date" in found[6]
    assert "unit_code is empty" in found[7]
    assert "repeats row 2" in found[8]
    assert "before valid_from" in found[9]
    assert 2 not in found


def test_a_header_without_the_columns_is_refused() -> None:
    check = check_register("unit,mail\nSTP-10,a@b.test\n", load_registry())
    assert [str(p) for p in check.problems] == [
        "row 1: the header lacks the column(s) unit_code, email, name, role, valid_from,"
        " valid_to"]


def test_a_merged_unit_is_answered_for_by_its_successor_and_people_change_posts() -> None:
    registry = load_registry()
    text = HEADER + "\n".join([
        "STP-10,old@lc.test,Old,officer,,30/06/2025",
        "STP-15,new@lc.test,New,officer,01/07/2025,",
        "STP-15,gone@lc.test,Gone,officer,,31/12/2024",
        "STP-15,head@lc.test,Head,head,,",
    ]) + "\n"
    contacts = check_register(text, registry).contacts
    before = recipients(contacts, "STP-10", ("officer",), date(2025, 3, 1), registry)
    after = recipients(contacts, "STP-10", ("officer",), date(2026, 12, 6), registry)
    assert [c.email for c in before] == ["old@lc.test"]
    assert [c.email for c in after] == ["new@lc.test"]  # Lào Cai 10 merged into 15
    assert [c.email for c in recipients(contacts, "STP-15", ("head",), date(2026, 1, 1),
                                        registry)] == ["head@lc.test"]
    assert recipients(contacts, "STP-12", ("officer",), date(2026, 1, 1), registry) == ()


def test_an_address_is_masked() -> None:
    assert mask("can.bo@stp.lc.example") == "c***@..."

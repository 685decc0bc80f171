"""The register in force: a good register is kept with its history; one with a wrong row is
reported row by row and the previous good one stays in force."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from ingest.reference import load_registry
from orchestration.correspondence import store
from orchestration.correspondence.register import register_in_force
from orchestration.warehouse.engine import engine_for

HEADER = "unit_code,email,name,role,valid_from,valid_to\n"


def test_a_bad_register_keeps_the_previous_good_one_in_force(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "warehouse" / "tuphap.duckdb")
    path, registry, now = tmp_path / "contacts.csv", load_registry(), datetime.now(UTC)
    path.write_text(HEADER + "STP-10,a@lc.example,A,officer,,\n", encoding="utf-8")
    with engine.private_store() as con:
        store.ensure_store(con)
        good = register_in_force(con, path, registry, now)
    assert [c.email for c in good.contacts] == ["a@lc.example"] and good.problems == ()
    path.write_text(HEADER + "STP-10,b@lc.example,B,officer,,\nSTP-99,c@x.example,C,officer"
                    ",,\n", encoding="utf-8")
    with engine.private_store() as con:
        bad = register_in_force(con, path, registry, now)
        again = register_in_force(con, path, registry, now)  # read once, remembered
        history = con.execute("select accepted, contacts from tuphap_private.contact_registers"
                              " order by read_at, accepted desc").fetchall()
    assert [c.email for c in bad.contacts] == ["a@lc.example"]
    assert bad.problems == ("row 3: unit_code 'STP-99' is not a unit of the reference register",)
    assert again.problems == bad.problems and "stays in force" in bad.note
    assert "a@" not in bad.note and sorted(history) == [(False, 1), (True, 1)]
    private = tmp_path / "warehouse" / ".private" / "tuphap.private.duckdb"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700  # its write-ahead log too


def test_a_register_put_back_to_an_earlier_version_is_that_version_again(tmp_path: Path
                                                                         ) -> None:
    engine = engine_for(tmp_path / "tuphap.duckdb")
    path, registry = tmp_path / "contacts.csv", load_registry()
    first = HEADER + "STP-10,a@lc.example,A,officer,,\n"
    second = HEADER + "STP-10,b@lc.example,B,officer,,\n"
    seen = []
    for text in (first, second, first):
        path.write_text(text, encoding="utf-8")
        with engine.private_store() as con:
            store.ensure_store(con)
            seen.append([c.email for c in register_in_force(con, path, registry,
                                                            datetime.now(UTC)).contacts])
    assert seen == [["a@lc.example"], ["b@lc.example"], ["a@lc.example"]]


def test_without_a_register_no_unit_hears_anything(tmp_path: Path) -> None:
    engine = engine_for(tmp_path / "tuphap.duckdb")
    with engine.private_store() as con:
        store.ensure_store(con)
        none = register_in_force(con, None, load_registry(), datetime.now(UTC))
    assert none.contacts == () and not none.configured
    assert none.note.startswith("no contacts register (TUPHAP_CONTACTS)")

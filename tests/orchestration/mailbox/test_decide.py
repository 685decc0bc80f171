"""Who may submit and what is held (orchestration/mailbox/decide.py), one rule at a time, on
messages read by the real reader (ingest/mail) and the sample contacts register."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.contacts import Contact, check_register
from ingest.mail import Attachment, parse_message
from ingest.reference import Registry
from orchestration.mailbox.decide import Decision, ReadFile, decide, resolve_token
from tests.correspondence.conftest import REGISTER
from tests.mailbox.conftest import unit_mail

LANG_SON = "canbo.stp20@langson.tuphap.example"  # officer of STP-20
TUYEN_QUANG = "canbo.stp08@tuyenquang.tuphap.example"  # STP-08: Hà Giang's STP since 7/2025
ISSUES = {"c33452cd5ba7" + "0" * 52: "STP-20", "9f00aa11bb22" + "1" * 52: "THADS-20",
          "abcdef012345" + "2" * 52: "STP-02"}
BEFORE_MERGER, AFTER_MERGER = date(2024, 12, 10), date(2025, 12, 10)


@pytest.fixture(scope="module")
def contacts(registry: Registry) -> list[Contact]:
    return check_register(REGISTER.read_text(encoding="utf-8"), registry).contacts


def _decide(contacts: list[Contact], registry: Registry, sender: str, *, text: str = "x",
            subject: str = "Báo cáo", files: tuple[tuple[str, tuple[str, ...]], ...] = (),
            day: date = BEFORE_MERGER, headers: dict[str, str] | None = None,
            require_dmarc: bool = False) -> Decision:
    message = unit_mail(sender, subject, text, tuple((name, b"PK") for name, _ in files))
    for name, value in (headers or {}).items():
        message[name] = value
    inbound = parse_message(message.as_bytes())
    read = [ReadFile(Attachment(name, b"PK"), units) for name, units in files]
    return decide(inbound, read, contacts=contacts, registry=registry, day=day, issues=ISSUES,
                  require_dmarc=require_dmarc)


def test_an_officers_own_report_is_accepted(contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, LANG_SON, files=(("bc.xlsx", ("STP-20",)),))
    assert (done.outcome, done.unit_code, [a.name for a in done.files]) == \
        ("accepted", "STP-20", ["bc.xlsx"])


def test_a_stranger_is_held(contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, "la@nguoi-la.example", files=(("bc.xlsx", ("STP-20",)),))
    assert (done.outcome, done.reason) == (
        "held", "the sender is not an officer in the contacts register")


def test_another_units_report_is_held_whole(contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, LANG_SON,
                   files=(("a.xlsx", ("STP-20",)), ("b.xlsx", ("THADS-20",))))
    assert done.outcome == "held" and not done.files
    assert done.reason == "b.xlsx is a report of THADS-20, sent by an officer of STP-20"


def test_a_merged_units_report_comes_from_its_successors_officer(
        contacts: list[Contact], registry: Registry) -> None:
    """Hà Giang's STP (STP-02) is answered for by Tuyên Quang's (STP-08) since 1 July 2025."""
    after = _decide(contacts, registry, TUYEN_QUANG, files=(("hg.xlsx", ("STP-02",)),),
                    day=AFTER_MERGER)
    assert after.outcome == "accepted"
    before = _decide(contacts, registry, TUYEN_QUANG, files=(("hg.xlsx", ("STP-02",)),))
    assert before.outcome == "held"


def test_a_reply_explains_its_units_issues_only(contacts: list[Contact],
                                                registry: Registry) -> None:
    mine = _decide(contacts, registry, LANG_SON, subject="Re: [#c33452cd5ba7]",
                   text="Số liệu đúng: gồm việc ủy thác.")
    assert (mine.outcome, mine.explanations) == ("explained", [(next(iter(ISSUES)), "STP-20")])
    other = _decide(contacts, registry, LANG_SON, subject="Re: [#9f00aa11bb22]", text="Đúng.")
    assert (other.outcome, other.reason) == ("held", "the token [#9f00aa11bb22] is an issue of"
                                                     " THADS-20, answered by an officer of STP-20")
    unknown = _decide(contacts, registry, LANG_SON, subject="Re: [#0123456789ab]", text="Đúng.")
    assert unknown.reason == "the token [#0123456789ab] names no issue"
    empty = _decide(contacts, registry, LANG_SON, subject="Re: [#c33452cd5ba7]", text="")
    assert empty.reason == "a reply with an issue's token but no explanation in it"


def test_a_reply_with_a_corrected_report_is_also_a_submission(
        contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, LANG_SON, subject="Re: [#c33452cd5ba7]",
                   text="Gửi lại báo cáo đã sửa.", files=(("bc.xlsx", ("STP-20",)),))
    assert done.outcome == "accepted" and done.files and done.explanations


def test_nothing_usable_is_held(contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, LANG_SON, text="Xin chào")
    assert (done.outcome, done.reason) == (
        "held", "no usable attachment (no attachment and no issue token)")


def test_dmarc_is_required_only_when_asked(contacts: list[Contact], registry: Registry) -> None:
    files = (("bc.xlsx", ("STP-20",)),)
    failing = {"Authentication-Results": "mx.tuphap.example; dmarc=fail header.from=x"}
    assert _decide(contacts, registry, LANG_SON, files=files, headers=failing).outcome == \
        "accepted"
    held = _decide(contacts, registry, LANG_SON, files=files, headers=failing,
                   require_dmarc=True)
    assert (held.outcome, held.reason) == (
        "held", "the sender's domain fails DMARC (Authentication-Results: dmarc=fail)")
    passing = {"Authentication-Results": "mx.tuphap.example; dmarc=pass header.from=x"}
    assert _decide(contacts, registry, LANG_SON, files=files, headers=passing,
                   require_dmarc=True).outcome == "accepted"


def test_an_out_of_office_reply_is_held(contacts: list[Contact], registry: Registry) -> None:
    done = _decide(contacts, registry, LANG_SON, subject="Re: [#c33452cd5ba7]",
                   text="Tôi đang nghỉ phép.", headers={"Auto-Submitted": "auto-replied"})
    assert done.outcome == "held" and "automatic message" in done.reason


def test_a_token_names_one_issue_by_enough_of_its_fingerprint() -> None:
    assert resolve_token("c33452cd", ISSUES) == next(iter(ISSUES))
    assert resolve_token("c33452c", ISSUES) is None  # too short to be sure
    assert resolve_token("ffffffffffff", ISSUES) is None

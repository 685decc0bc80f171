"""Who may submit, and what is held: a pure decision about one received message.

Only an officer in the register in force may submit, and only for their own unit (the unit
each file is read as, or the unit that answers for it since the 2025 mergers); only an
officer of an issue's unit may explain it. Anything else is held for the data team with a
reason, and never answered: a forged sender must get no mail from us (no backscatter). The
whole message is held when any part of it is not allowed: a person looks at it once, whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ingest.contacts import Contact
from ingest.mail import Attachment, Inbound
from ingest.reference import Registry
from orchestration.correspondence.plan import answering_unit

MIN_TOKEN = 8  # hex characters of a fingerprint a token must give (compose.TOKEN_LENGTH: 12)


@dataclass(frozen=True)
class ReadFile:
    """A report file of the message and the units it was read as (none: unreadable)."""

    attachment: Attachment
    units: tuple[str, ...]


@dataclass
class Decision:
    outcome: str  # accepted | explained | held
    reason: str = ""  # why it is held (English, for the data team)
    unit_code: str | None = None  # the sender's unit
    files: list[Attachment] = field(default_factory=list)
    explanations: list[tuple[str, str]] = field(default_factory=list)  # (fingerprint, unit)


def sender_units(sender: str | None, contacts: Sequence[Contact], day: date) -> list[str]:
    """The units `sender` is an officer of on `day` (register in force)."""
    if not sender:
        return []
    return sorted({c.unit_code for c in contacts if c.role == "officer" and c.valid_on(day)
                   and c.email.lower() == sender.lower()})


def resolve_token(token: str, issues: Mapping[str, str]) -> str | None:
    """The one fingerprint `token` starts, or None (unknown, or ambiguous)."""
    if len(token) < MIN_TOKEN:
        return None
    found = [fingerprint for fingerprint in issues if fingerprint.startswith(token)]
    return found[0] if len(found) == 1 else None


def decide(inbound: Inbound, files: Sequence[ReadFile], *, contacts: Sequence[Contact],
           registry: Registry, day: date, issues: Mapping[str, str],
           require_dmarc: bool = False) -> Decision:
    """What to do with one message (module doc). `issues`: fingerprint -> unit code."""
    def held(reason: str, unit: str | None = None) -> Decision:
        return Decision("held", reason, unit)

    if inbound.problems and not inbound.sender:
        return held("the message cannot be read: " + "; ".join(inbound.problems))
    units = sender_units(inbound.sender, contacts, day)
    if not units:
        return held("the sender is not an officer in the contacts register")
    unit = units[0]
    if require_dmarc and inbound.dmarc != "pass":
        return held(f"the sender's domain fails DMARC (Authentication-Results: dmarc="
                    f"{inbound.dmarc or 'none'})", unit)
    if inbound.auto_submitted:
        return held("an automatic message (Auto-Submitted: an out-of-office reply, ...)", unit)
    mine = {answering_unit(registry, code, day) for code in units}
    for read in files:
        others = sorted(code for code in read.units if answering_unit(registry, code, day)
                        not in mine)
        if others:
            return held(f"{read.attachment.name} is a report of {', '.join(others)}, sent by an"
                        f" officer of {', '.join(units)}", unit)
    explained: list[tuple[str, str]] = []
    for token in inbound.tokens:
        fingerprint = resolve_token(token, issues)
        if fingerprint is None:
            return held(f"the token [#{token}] names no issue", unit)
        if answering_unit(registry, issues[fingerprint], day) not in mine:
            return held(f"the token [#{token}] is an issue of {issues[fingerprint]}, answered"
                        f" by an officer of {', '.join(units)}", unit)
        explained.append((fingerprint, issues[fingerprint]))
    if explained and not inbound.text.strip():
        return held("a reply with an issue's token but no explanation in it", unit)
    if not files and not explained:
        why = "; ".join(inbound.notes) if inbound.notes else "no attachment and no issue token"
        return held(f"no usable attachment ({why})", unit)
    return Decision("accepted" if files else "explained", "", unit,
                    [read.attachment for read in files], explained)

"""The contacts register in force: the file the data team keeps (TUPHAP_CONTACTS), as last
accepted. A register with a wrong row is kept in the history with its problems, reported, and
not used: the previous good one stays in force; with none, no unit hears anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingest.contacts import Contact, check_register
from ingest.reference import Registry
from orchestration.correspondence import store
from orchestration.warehouse.engine import Connection


@dataclass(frozen=True)
class RegisterInForce:
    contacts: tuple[Contact, ...]
    configured: bool  # TUPHAP_CONTACTS is set
    problems: tuple[str, ...] = ()  # of the file as it is now (then an older one is in force)
    note: str = ""  # for the data team: which register is in force

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(c.email.lower() for c in self.contacts)


def register_in_force(con: Connection | None, path: Path | None, registry: Registry,
                      now: datetime) -> RegisterInForce:
    """Read the register file (if changed since last read), keep it, and return the contacts
    in force: the file's when it is good, else the last good one's."""
    if path is None:
        return RegisterInForce((), configured=False,
                               note="no contacts register (TUPHAP_CONTACTS): no message to units"
                                    " (README, \"Correspondence with the units\")")
    if con is None:
        raise ValueError("a configured register is kept in the private store: pass its connection")
    problems: tuple[str, ...] = ()
    try:
        content = path.read_bytes()
    except OSError as error:
        problems = (f"{path.name} cannot be read ({type(error).__name__})",)
    else:
        sha = hashlib.sha256(content).hexdigest()
        seen = store.register_seen(con, sha)
        if seen is None:
            try:
                check = check_register(content.decode("utf-8-sig"), registry)
                found = tuple(str(p) for p in check.problems)
                contacts = check.contacts
            except UnicodeDecodeError:
                found, contacts = ("the file is not UTF-8 text",), ()
            store.save_register(con, sha, contacts, found, now)
            problems = found
        elif not seen["accepted"]:
            problems = tuple(json.loads(seen["problems"]))
        else:  # a version accepted before (a file put back): it is the one in force again
            store.set_state(con, store.IN_FORCE, sha)
    in_force = store.register_in_force_now(con)
    if in_force is None:
        return RegisterInForce((), True, problems,
                               f"contacts register {path.name} not in force and no earlier"
                               " one: no message to units")
    note = (f"contacts register {path.name}: {len(in_force[1])} contact(s)" if not problems
            else f"contacts register {path.name} not used ({'; '.join(problems[:3])}"
                 f"{'; …' if len(problems) > 3 else ''}): the previous one"
                 f" ({len(in_force[1])} contact(s)) stays in force")
    return RegisterInForce(in_force[1], True, problems, note)

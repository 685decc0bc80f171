"""One pass of correspondence, as the load's step and the reminder tick run it: read the
register in force, plan what is due, record it, send every delivery not yet made.

The warehouse is read (published, read-only) before the private store is written, and the
store is written before anything is sent: a pass killed at any point leaves either nothing or
recorded messages that the next pass sends (store.py says why nothing goes out twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.contacts import data_team, mask_addresses, recipients
from ingest.reference import Registry
from orchestration.correspondence import facts, plan, store
from orchestration.correspondence.compose import VIETNAM
from orchestration.correspondence.mailer import Attach, Sent, send_undelivered
from orchestration.correspondence.register import RegisterInForce, register_in_force
from orchestration.quality.alerts import SmtpChannel
from orchestration.settings import mailbox_reply_address
from orchestration.warehouse.engine import Connection, WarehouseEngine

SINCE = "correspondence_since"  # files and issues before it are not news to anyone
# The start of the last load whose receipts were all recorded: later passes read only what
# came after it (a national warehouse holds thousands of files already receipted).
RECEIPTS_THROUGH = "receipts_through"
# What a pass plans, from the warehouse, what was told when, the register, and since when.
# The threads (store.threads: the units' messages mailed files came in) let receipts reply.
Planner = Callable[[Connection, dict[str, datetime], RegisterInForce, datetime,
                    dict[str, dict]], plan.Plan]


@dataclass
class Outcome:
    register: RegisterInForce
    planned: int = 0
    sent: Sent = field(default_factory=Sent)
    no_contact: list[str] = field(default_factory=list)
    dry_run: list[store.Planned] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the data team (English, addresses masked)."""
        if not self.register.contacts:
            return self.register.note
        parts = [f"{self.sent.messages} message(s) sent to {len(self.sent.units)} unit(s)"]
        if self.sent.failed:
            parts.append(f"{len(self.sent.failed)} delivery(ies) failed, retried next time")
        if self.no_contact:
            parts.append("no contact for " + ", ".join(self.no_contact))
        if self.register.problems:
            parts.append(self.register.note)
        return mask_addresses("; ".join(parts))


@dataclass(frozen=True)
class Settings:
    contacts: Path | None
    server: SmtpChannel | None
    registry: Registry
    remind_days: int = 7


def _pass(engine: WarehouseEngine, settings: Settings, now: datetime,
          planner: Planner, *, started_at: datetime | None = None,
          dry_run: bool = False, attach: Attach | None = None) -> Outcome:
    """One pass, holding the private store throughout: passes of one warehouse (a load's, the
    daily tick's, a person's `tuphap remind`) run one after the other, never sending the same
    pending delivery twice (DuckDB: one writer of the file; PostgreSQL: an advisory lock)."""
    if settings.contacts is None:  # nothing to read or keep: no store is made
        return Outcome(register_in_force(None, None, settings.registry, now))
    with engine.private_store() as con:
        register = _register(con, settings, now)
        if not register.contacts:
            return Outcome(register)
        since = datetime.fromisoformat(
            store.set_state_once(con, SINCE, (started_at or now).isoformat()))
        through = store.state(con, RECEIPTS_THROUGH) if started_at else None
        if through:
            since = max(since, datetime.fromisoformat(through))
        told = store.last_told(con, "")
        threads = store.threads(con, "file:")
        with engine.read_only() as warehouse:
            planned = planner(warehouse, told, register, since, threads)
        outcome = Outcome(register, len(planned.messages),
                          no_contact=sorted(planned.no_contact))
        if dry_run:
            outcome.dry_run = planned.messages
            return outcome
        with store.transaction(con):  # all of the pass, or none of it
            store.record(con, planned.messages, now)
            if started_at:  # a receipt pass: everything of this load is recorded
                store.set_state(con, RECEIPTS_THROUGH, started_at.isoformat())
        outcome.sent = _send(con, register, settings, now, attach)
    return outcome


def _register(con: Connection, settings: Settings, now: datetime) -> RegisterInForce:
    """The register in force, read from the private store (made if new) and the file."""
    store.ensure_store(con)
    return register_in_force(con, settings.contacts, settings.registry, now)


def _send(con: Connection, register: RegisterInForce, settings: Settings, now: datetime,
          attach: Attach | None) -> Sent:
    """Send every delivery not yet made, to whom the register in force allows today."""
    today = now.astimezone(VIETNAM).date()

    def may_receive(unit_code: str) -> frozenset[str]:
        """Who may receive a message about the unit today: its officers and head as the
        register in force says (someone who left, or moved, no longer)."""
        return frozenset(c.email.lower() for c in recipients(
            register.contacts, unit_code, ("officer", "head"), today, settings.registry))

    # Units answer to the mailbox when there is one (their replies explain issues), else to
    # the data team.
    mailbox = mailbox_reply_address()
    reply_to = [mailbox] if mailbox else [c.email for c in data_team(register.contacts, today)]
    return send_undelivered(con, settings.server, may_receive, now, attach, reply_to)


def send_one(engine: WarehouseEngine, settings: Settings, now: datetime,
             make: Callable[[RegisterInForce, Connection], store.Planned]) -> Outcome:
    """Record one message, made from the register in force (and the private store: the
    threads), and send it with every other delivery due: a data team's answer to a unit."""
    if settings.contacts is None:
        return Outcome(register_in_force(None, None, settings.registry, now))
    with engine.private_store() as con:
        register = _register(con, settings, now)
        if not register.contacts:
            return Outcome(register)
        message = make(register, con)
        if not message.recipients:
            return Outcome(register, no_contact=[message.unit_code])
        with store.transaction(con):
            store.record(con, [message], now)
        outcome = Outcome(register, 1)
        outcome.sent = _send(con, register, settings, now, None)
    return outcome


def send_receipts(engine: WarehouseEngine, settings: Settings, now: datetime,
                  started_at: datetime, attach: Attach | None = None) -> Outcome:
    """After a load's publish: receipts of its files, with its units' new issues."""
    def planner(con: Connection, told: dict[str, datetime], register: RegisterInForce,
                since: datetime, threads: dict[str, dict]) -> plan.Plan:
        return plan.plan_receipts(facts.read_load_facts(con, since), set(told),
                                  register.contacts, settings.registry, now, since, threads)

    return _pass(engine, settings, now, planner, started_at=started_at, attach=attach)


def send_reminders(engine: WarehouseEngine, settings: Settings, now: datetime, *,
                   dry_run: bool = False, attach: Attach | None = None) -> Outcome:
    """The daily tick: deadline reminders and reminders of open errors due today."""
    def planner(con: Connection, told: dict[str, datetime], register: RegisterInForce,
                since: datetime, threads: dict[str, dict]) -> plan.Plan:
        deadlines = plan.plan_deadline_reminders(facts.missing_reports(con), set(told),
                                                 register.contacts, settings.registry, now)
        errors = plan.plan_issue_reminders(facts.open_issues(con), told, register.contacts,
                                           settings.registry, now, settings.remind_days)
        return plan.Plan(deadlines.messages + errors.messages,
                         deadlines.no_contact | errors.no_contact)

    return _pass(engine, settings, now, planner, dry_run=dry_run, attach=attach)

"""Units' explanations, and the data team's answer to them.

A unit's reply carrying an issue's token is recorded in the private store when it is taken
(pull.py), with the receipt it gets (`explanation_receipt`, an answer on its thread). Every
load then applies every explanation received to its build's `dq_issues` (`apply`): the issue
shows the explanation and becomes `explained`, and a load that failed after the pull loses
nothing (the next one applies it). `tuphap reopen` (`reopen_issue`) rejects an explanation: the
issue is open again and the unit is told why, in reply to its explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ingest.contacts import Contact, recipients
from ingest.mail import Inbound
from ingest.reference import Registry
from orchestration.correspondence import compose, plan
from orchestration.correspondence import store as letters
from orchestration.correspondence.facts import issue_note
from orchestration.correspondence.register import RegisterInForce
from orchestration.correspondence.run import Outcome, Settings, send_one
from orchestration.mailbox import store
from orchestration.mailbox.decide import Decision
from orchestration.quality import issues
from orchestration.warehouse.engine import Connection, WarehouseEngine, transaction


def explanation_receipt(decision: Decision, inbound: Inbound, contacts: Sequence[Contact],
                        registry: Registry, key: str, day: date,
                        received_at: datetime) -> letters.Planned:
    """The unit's receipt for its explanation: to its officers, on its own thread."""
    unit = plan.answering_unit(registry, decision.unit_code or "", day)
    subject, body = compose.explanation_receipt(
        plan.unit_name(registry, unit, day),
        [compose.token(fingerprint) for fingerprint, _ in decision.explanations],
        inbound.text, received_at)
    thread = {"message_id": inbound.message_id,
              "references": (*inbound.references, inbound.message_id)}
    return plan.planned("explanation_receipt", unit, subject, body,
                        [f"explained:{fingerprint}:{key}"
                         for fingerprint, _ in decision.explanations],
                        recipients(contacts, unit, ("officer",), day, registry), thread=thread)


def apply(build: Connection, private: Connection) -> list[str]:
    """Every explanation received, applied to the build's dq_issues (issues.explain)."""
    store.ensure_store(private)
    if not issues.issues_table_exists(build):
        return []
    return issues.explain(build, store.explanations(private))


def reopen_issue(engine: WarehouseEngine, fingerprint: str, note: str, settings: Settings,
                 now: datetime) -> tuple[dict | None, Outcome | None]:
    """Reopen the issue (quality.issues.reopen) and tell its unit why, on the thread of its
    explanation (or of the message that told it the issue). (issue, what was sent)."""
    with transaction(engine) as con:
        issue = issues.reopen(con, fingerprint, note, now=now)
    if issue is None or settings.contacts is None:
        return issue, None
    fp = issue["fingerprint"]

    def message(register: RegisterInForce, private: Connection) -> letters.Planned:
        day = now.astimezone(compose.VIETNAM).date()
        unit = plan.answering_unit(settings.registry, issue["unit_code"], day)
        thread = letters.threads(private, f"explained:{fp}").get(f"explained:{fp}")
        if thread is None:
            told = letters.message_ids(private, [f"issue:{fp}"]).get(f"issue:{fp}")
            thread = {"message_id": told, "references": (told,)} if told else None
        subject, body = compose.reopened(plan.unit_name(settings.registry, unit, day),
                                         issue_note(issue), note)
        return plan.planned("reopened", unit, subject, body,
                            [f"reopened:{fp}:{now.isoformat()}"],
                            recipients(register.contacts, unit, ("officer",), day,
                                       settings.registry), thread=thread)

    return issue, send_one(engine, settings, now, message)

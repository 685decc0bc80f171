"""Which messages to send, and to whom: pure functions from what the warehouse says (facts.py)
and what each unit was already told (the store's `told` items) to planned messages.

An item is one thing a unit hears about once: `receipt:<sha256>:<unit>` (a file),
`issue:<fingerprint>` (a new issue), `issue-reminder:<fingerprint>:<n>` (the n-th reminder of
an open error), `deadline:<unit>:<year>:<reminder day>` (a reminder of missing forms). A
message's key is a hash of its unit and items, so the same plan gives the same message.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ingest.calendar import reminder_day
from ingest.contacts import Contact, recipients, unit_today
from ingest.reference import Registry
from orchestration.correspondence import compose
from orchestration.correspondence.compose import FileNote, IssueNote
from orchestration.correspondence.facts import LoadFacts, Submission, issue_note
from orchestration.correspondence.store import Planned, Recipient
from orchestration.ingest.arrivals import shown_name

HEAD_AFTER_REMINDERS = 3  # the unit's head is copied from the reminder after the third
MAX_CHANGES = 12  # figures a receipt lists as changed by a correction; the rest are counted


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)
    no_contact: set[str] = field(default_factory=set)  # units with something to hear


def message_key(unit_code: str, items: Iterable[str]) -> str:
    return hashlib.sha256("\n".join([unit_code, *sorted(items)]).encode()).hexdigest()


def unit_name(registry: Registry, unit_code: str, day: date) -> str:
    unit = unit_today(registry, unit_code, day)
    return unit.display_name if unit else unit_code


def planned(kind: str, unit_code: str, subject: str, body: str, items: Sequence[str],
            to: Sequence[Contact], cc: Sequence[Contact] = (), attachment: dict | None = None,
            thread: Mapping[str, Any] | None = None) -> Planned:
    """A message to a unit's contacts; with a `thread` (store.threads), an answer on it."""
    key = message_key(unit_code, items)
    addresses = {c.email.lower() for c in to}
    return Planned(key, f"<{key[:32]}@tuphap.invalid>", kind, unit_code, subject, body,
                   tuple(sorted(items)),
                   tuple(Recipient(c.email, "to") for c in to)
                   + tuple(Recipient(c.email, "cc") for c in cc
                           if c.email.lower() not in addresses),
                   attachment, thread["message_id"] if thread else None,
                   tuple(thread["references"]) if thread else ())


def _changes(new: Submission, old: Submission,
             values: Mapping[str, Mapping[tuple[str, str], float | None]]) -> list[str]:
    before, after = values.get(old.submission_id, {}), values.get(new.submission_id, {})
    found = [compose.change_text(new.form, indicator, subunit, before.get((subunit, indicator)),
                                 after.get((subunit, indicator)))
             for subunit, indicator in sorted(set(before) | set(after))
             if before.get((subunit, indicator)) != after.get((subunit, indicator))]
    if len(found) > MAX_CHANGES:
        found = [*found[:MAX_CHANGES], f"… và {len(found) - MAX_CHANGES} số liệu khác"]
    return found


def answering_unit(registry: Registry, unit_code: str, day: date) -> str:
    """The unit whose officers hear about `unit_code`: itself, or its successor."""
    unit = unit_today(registry, unit_code, day)
    return unit.unit_code if unit else unit_code


def reported_name(registry: Registry, unit_code: str, year: int | None) -> str:
    unit = registry.unit(unit_code, year) if year else None
    return unit.display_name if unit else unit_code


def file_notes(facts: LoadFacts, issues_by_unit: Mapping[str, list[IssueNote]],
               registry: Registry, threads: Mapping[str, Mapping[str, Any]] | None = None
               ) -> dict[str, list[tuple[str, FileNote]]]:
    """unit -> [(item, note)] for every file received since correspondence began. A mailed
    file rejected before its unit could be read is told to its sender's unit (`threads`)."""
    by_sha: dict[str, list[Submission]] = defaultdict(list)
    by_report: dict[tuple[str, int, str], list[Submission]] = defaultdict(list)
    for s in facts.submissions:
        by_sha[s.sha256].append(s)
        by_report[(s.unit_code, s.year, s.form)].append(s)
    notes: dict[str, list[tuple[str, FileNote]]] = defaultdict(list)
    for f in facts.files:
        if f["status"] == "rejected":
            thread = (threads or {}).get(f"file:{f['sha256']}")
            unit = f["rejection_unit_code"] or (thread["unit_code"] if thread else None)
            if unit:
                notes[unit].append((f"receipt:{f['sha256']}:{unit}", FileNote(
                    f["source_file"], f["received_at"], "rejected",
                    reported_name(registry, unit, f["rejection_year"]), f["rejection_year"],
                    reason=f["reason"] or "")))
            continue
        for unit in sorted({s.unit_code for s in by_sha.get(f["sha256"], [])}):
            mine = [s for s in by_sha[f["sha256"]] if s.unit_code == unit]
            replaced, changes, unused = [], [], []
            for s in mine:
                others = [o for o in by_report[(s.unit_code, s.year, s.form)]
                          if o.sha256 != s.sha256]
                if not s.is_winning:
                    unused += [shown_name(o.source_file) for o in others if o.is_winning]
                    continue
                earlier = [o for o in others if o.received_at <= s.received_at]
                if earlier:
                    day = earlier[-1].received_at.astimezone(compose.VIETNAM).date()
                    replaced.append(f"tệp {shown_name(earlier[-1].source_file)} nhận ngày"
                                    f" {compose.vn_day(day)}")
                    changes += _changes(s, earlier[-1], facts.values)
            forms = tuple(sorted({s.form for s in mine}))
            year = mine[0].year
            raised = tuple(i for i in issues_by_unit.get(unit, ())
                           if i.year == year and (i.form in forms or i.form is None))
            notes[unit].append((f"receipt:{f['sha256']}:{unit}", FileNote(
                f["source_file"], f["received_at"],
                "superseding" if replaced else "not used" if unused else "accepted",
                reported_name(registry, unit, year), year, forms,
                replaced=tuple(dict.fromkeys(replaced or unused)), changes=tuple(changes),
                issues=raised)))
    return notes


def plan_receipts(facts: LoadFacts, told: set[str], contacts: Sequence[Contact],
                  registry: Registry, now: datetime, since: datetime,
                  threads: Mapping[str, Mapping[str, Any]] | None = None) -> Plan:
    """One message per unit: its files not yet receipted and its new issues not yet told.
    Files that came by mail (`threads`: `file:<sha256>` -> the unit's message) are receipted
    in a reply to their message, one per message, the unit's new issues in the first."""
    threads = threads or {}
    today = now.astimezone(compose.VIETNAM).date()
    issues: dict[str, list[IssueNote]] = defaultdict(list)
    for row in facts.issues:
        if f"issue:{row['fingerprint']}" not in told and row["first_seen_at"] >= since:
            issues[row["unit_code"]].append(issue_note(row))
    by_reporter = file_notes(facts, issues, registry, threads)
    # A unit merged away in 2025 is answered for by its successor: one message to them.
    files: dict[str, list[tuple[str, FileNote]]] = defaultdict(list)
    for reporter, found in by_reporter.items():
        files[answering_unit(registry, reporter, today)] += found
    answered: dict[str, list[IssueNote]] = defaultdict(list)
    for reporter, found_issues in issues.items():
        answered[answering_unit(registry, reporter, today)] += found_issues
    plan = Plan()
    for unit in sorted(set(files) | set(answered)):
        unit_files = [(item, note) for item, note in files.get(unit, []) if item not in told]
        unit_issues = answered.get(unit, [])
        if not unit_files and not unit_issues:
            continue
        to = recipients(contacts, unit, ("officer",), today, registry)
        if not to:
            plan.no_contact.add(unit)
            continue
        name = unit_name(registry, unit, today)
        by_thread: dict[str | None, list[tuple[str, FileNote]]] = defaultdict(list)
        for item, note in unit_files:
            thread = threads.get(f"file:{item.split(':')[1]}")
            by_thread[thread["message_id"] if thread else None].append((item, note))
        order = sorted(by_thread, key=lambda found: (found is None, found or ""))
        for index, message_id in enumerate(order or [None]):
            group = by_thread.get(message_id, [])
            found_issues = unit_issues if index == 0 else []
            notes = [note for _, note in group]
            items = [item for item, _ in group] + [f"issue:{i.fingerprint}" for i in found_issues]
            thread = threads.get(f"file:{group[0][0].split(':')[1]}") if message_id else None
            plan.messages.append(planned(
                "receipt", unit, compose.receipt_subject(name, notes, found_issues),
                compose.receipt_body(name, notes, found_issues, now), items, to,
                thread=thread))
    return plan


def plan_issue_reminders(issues: Sequence[dict], told_at: Mapping[str, datetime],
                         contacts: Sequence[Contact], registry: Registry, now: datetime,
                         every_days: int) -> Plan:
    """A reminder per unit of its open errors told at least `every_days` days ago."""
    today = now.astimezone(compose.VIETNAM).date()
    due: dict[str, list[tuple[IssueNote, int, date]]] = defaultdict(list)
    for row in issues:
        fp = row["fingerprint"]
        if row["severity"] != "error" or f"issue:{fp}" not in told_at:
            continue
        rounds = sum(1 for item in told_at if item.startswith(f"issue-reminder:{fp}:"))
        last = max(t for item, t in told_at.items()
                   if item == f"issue:{fp}" or item.startswith(f"issue-reminder:{fp}:"))
        if now - last >= timedelta(days=every_days) - timedelta(hours=1):  # a daily tick drifts
            first = told_at[f"issue:{fp}"].astimezone(compose.VIETNAM).date()
            unit = answering_unit(registry, row["unit_code"], today)
            due[unit].append((issue_note(row), rounds + 1, first))
    plan = Plan()
    for unit, found in sorted(due.items()):
        to = recipients(contacts, unit, ("officer",), today, registry)
        if not to:
            plan.no_contact.add(unit)
            continue
        rounds = max(n for _, n, _ in found)
        cc = (recipients(contacts, unit, ("head",), today, registry)
              if rounds > HEAD_AFTER_REMINDERS else ())
        subject, body = compose.issue_reminder(
            unit_name(registry, unit, today), [i for i, _, _ in found], rounds,
            {i.fingerprint: first for i, _, first in found}, head_copied=bool(cc))
        items = [f"issue-reminder:{i.fingerprint}:{n}" for i, n, _ in found]
        plan.messages.append(planned("issue_reminder", unit, subject, body, items, to, cc))
    return plan


def plan_deadline_reminders(missing: Sequence[dict], told: set[str],
                            contacts: Sequence[Contact], registry: Registry,
                            now: datetime) -> Plan:
    """A reminder per unit and year with forms missing, on the calendar's reminder days."""
    today = now.astimezone(compose.VIETNAM).date()
    groups: dict[tuple[str, int, date], list[str]] = defaultdict(list)
    rejected: set[tuple[str, int, str]] = set()
    for row in missing:
        groups[(row["unit_code"], int(row["year"]), row["due_date"])].append(row["form"])
        if row.get("status") == "rejected only":
            rejected.add((row["unit_code"], int(row["year"]), row["form"]))
    plan = Plan()
    for (unit, year, due), forms in sorted(groups.items()):
        day = reminder_day(due, today)
        item = f"deadline:{unit}:{year}:{day}"
        if day is None or item in told:
            continue
        to = recipients(contacts, unit, ("officer",), today, registry)
        if not to:
            plan.no_contact.add(unit)
            continue
        template = f"bieu_mau_{unit}_{year}.xlsx"
        subject, body = compose.deadline_reminder(
            unit_name(registry, unit, today), year, due, sorted(forms), today, template,
            rejected={form for form in forms if (unit, year, form) in rejected})
        plan.messages.append(planned("deadline_reminder", unit, subject, body, [item], to,
                                      attachment={"unit_code": unit, "year": year,
                                                  "file_name": template}))
    return plan

"""The contacts register (TUPHAP_CONTACTS): who at each unit hears about its reports.

A CSV file the data team keeps (unit-correspondence.md, "The contacts register"):
`unit_code,email,name,role,valid_from,valid_to`. It is read here, row by row, into contacts or
problems that say which row is wrong and why. A register with any problem is not used: the
caller keeps the previous good one in force (orchestration/correspondence/register.py).

Addresses are personal data: `mask` is how they appear anywhere a person or a log can read
them (`c***@...`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import email_validator

from ingest.dates import parse_day
from ingest.reference import Registry
from ingest.units import Unit

COLUMNS = ("unit_code", "email", "name", "role", "valid_from", "valid_to")
ROLES = ("officer", "head", "data_team")


@dataclass(frozen=True)
class Contact:
    unit_code: str  # "" for the data team
    email: str  # normalised (domain lower-cased)
    name: str
    role: str
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass(frozen=True)
class RowProblem:
    row: int  # the line number in the file (the header is line 1)
    text: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.text}"


@dataclass(frozen=True)
class RegisterCheck:
    contacts: tuple[Contact, ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")


def mask(address: str) -> str:
    """An address as logs and the data team's summaries show it: `c***@...`."""
    return f"{address[:1]}***@..." if address else "***"


def mask_addresses(text: str) -> str:
    """`text` with every address in it masked (a server's error may echo one, in any case)."""
    return _ADDRESS.sub(lambda match: mask(match.group(0)), text)


def _overlaps(a: Contact, b: Contact) -> bool:
    far_past, far_future = date.min, date.max
    return ((a.valid_from or far_past) <= (b.valid_to or far_future)
            and (b.valid_from or far_past) <= (a.valid_to or far_future))


def _check_row(number: int, row: dict[str, str], registry: Registry
               ) -> tuple[Contact | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def problem(text: str) -> None:
        problems.append(RowProblem(number, text))

    unit_code = (row.get("unit_code") or "").strip().upper()
    role = (row.get("role") or "").strip().lower()
    if role not in ROLES:
        problem(f"role {row.get('role')!r} is not one of {', '.join(ROLES)}")
    if role == "data_team" and unit_code:
        problem("a data_team contact has no unit_code (leave it empty)")
    elif role in ("officer", "head") and not registry.unit_versions(unit_code):
        problem(f"unit_code {unit_code!r} is not a unit of the reference register"
                if unit_code else "unit_code is empty (only data_team contacts have none)")
    email = ""
    try:
        # No DNS lookup; reserved test domains pass (the sample uses .test and .example);
        # ASCII only, as every mail server on the way accepts.
        email = email_validator.validate_email(
            (row.get("email") or "").strip(), check_deliverability=False,
            test_environment=True, allow_smtputf8=False).normalized
    except email_validator.EmailNotValidError as error:
        problem(f"the address in column email is not valid: {error}")
    days: list[date | None] = []
    for column in ("valid_from", "valid_to"):
        text = (row.get(column) or "").strip()
        try:
            days.append(parse_day(text) if text else None)
        except ValueError:
            days.append(None)
            problem(f"{column} {text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")
    valid_from, valid_to = days
    if valid_from and valid_to and valid_to < valid_from:
        problem(f"valid_to {valid_to:%d/%m/%Y} is before valid_from {valid_from:%d/%m/%Y}")
    if problems:
        return None, problems
    return Contact(unit_code, email, (row.get("name") or "").strip(), role, valid_from,
                   valid_to), []


def check_register(text: str, registry: Registry) -> RegisterCheck:
    """Every contact of the register's text, or the problems of its rows (all of them)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple((name or "").strip().lower() for name in reader.fieldnames or ())
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return RegisterCheck((), (RowProblem(1, "the header lacks the column(s) "
                                                + ", ".join(missing)),))
    reader.fieldnames = list(header)
    contacts: list[Contact] = []
    numbers: list[int] = []
    problems: list[RowProblem] = []
    for number, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line
        contact, found = _check_row(number, row, registry)
        problems += found
        if contact is not None:
            contacts.append(contact)
            numbers.append(number)
    for i, a in enumerate(contacts):
        for j in range(i):
            b = contacts[j]
            if (a.unit_code, a.email.lower(), a.role) == (b.unit_code, b.email.lower(),
                                                          b.role) and _overlaps(a, b):
                problems.append(RowProblem(numbers[i], f"repeats row {numbers[j]}"
                                           " (same unit, address and role over the same days)"))
    if not contacts and not problems:
        problems.append(RowProblem(1, "the register has no contact"))
    return RegisterCheck(tuple(contacts), tuple(sorted(problems, key=lambda p: p.row)))


def unit_today(registry: Registry, unit_code: str, day: date) -> Unit | None:
    """The unit that answers for `unit_code` on `day`: itself while it exists, else its
    successor (the 2025 mergers: a unit merged away is represented by the merged one)."""
    versions = registry.unit_versions(unit_code)
    current = next((u for u in versions if u.valid_on(day)), None)
    if current is not None or not versions:
        return current
    return registry.successor_unit(versions[-1], day.year)


def recipients(contacts: Iterable[Contact], unit_code: str, roles: Sequence[str], day: date,
               registry: Registry) -> tuple[Contact, ...]:
    """The contacts valid on `day` with one of `roles` of the unit that answers for
    `unit_code` (itself or its successor); none for a unit nobody answers for."""
    unit = unit_today(registry, unit_code, day)
    if unit is None:
        return ()
    found = {c.email.lower(): c for c in contacts
             if c.unit_code == unit.unit_code and c.role in roles and c.valid_on(day)}
    return tuple(found[key] for key in sorted(found))


def data_team(contacts: Iterable[Contact], day: date) -> tuple[Contact, ...]:
    return tuple(c for c in contacts if c.role == "data_team" and c.valid_on(day))

"""A sample load with the sample contacts register and a real SMTP server, shared by the
correspondence tests (their own xdist group: one worker, in file order; the reminder tests
come after the messages tests and start with a retry-free state either way)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.contacts import check_register
from ingest.reference import load_registry
from tests.correspondence.smtp_server import SmtpServer
from tests.e2e.conftest import ROOT, isolated_env, tuphap
from tests.quality.smtp_sink import ReceivedMail

REGISTER = ROOT / "ingest" / "sample" / "contacts.csv"
REFUSED = "canbo.stp14@sonla.tuphap.example"  # its server refuses it at first


@dataclass
class Correspondence:
    smtp: SmtpServer
    env: dict[str, str]
    base: Path
    first: subprocess.CompletedProcess
    first_mails: list[ReceivedMail]  # what the first load sent (other tests send more)

    @property
    def warehouse(self) -> Path:
        return Path(self.env["TUPHAP_WAREHOUSE"])


def officers() -> dict[str, str]:
    """address -> unit code, of the sample register's officers."""
    contacts = check_register(REGISTER.read_text(encoding="utf-8"), load_registry()).contacts
    return {c.email: c.unit_code for c in contacts if c.role in ("officer", "head")}


def environment(base: Path, smtp: SmtpServer) -> dict[str, str]:
    """The sample register, and a calendar: every 2026 report due 15/12/2026 (THADS's default
    is 15/10)."""
    env = isolated_env(base)
    env.update(smtp.environment())
    env["TUPHAP_CONTACTS"] = str(REGISTER)
    calendar = base / "calendar.csv"
    calendar.write_text("year,unit_type,due_date\n2026,STP,15/12/2026\n"
                        "2026,THADS,2026-12-15\n", encoding="utf-8")
    env["TUPHAP_CALENDAR"] = str(calendar)
    return env


@pytest.fixture(scope="session")
def sample_with_mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Correspondence]:
    base = tmp_path_factory.mktemp("mail")
    with SmtpServer() as smtp:
        smtp.handler.refuse.add(REFUSED)
        env = environment(base, smtp)
        sample = tuphap(["sample", "--out", str(base / "inbox")], env)
        assert sample.returncode == 0, sample.stderr
        first = tuphap(["load"], env)
        assert first.returncode == 0, first.stdout + first.stderr
        yield Correspondence(smtp, env, base, first, smtp.mails)

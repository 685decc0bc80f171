"""(f) for a mailed report: seconds from an officer's message reaching the units' mailbox (its
IMAP APPEND) to its figures published and the receipt, a reply on the officer's thread, in
the SMTP server, with `make serve` running (python -m deploy.serve).

As service.py's (f), the service runs as deployed (its Dagster instance in a throwaway
PostgreSQL server, a DuckDB warehouse loaded beforehand from the demo inbox by `tuphap load`,
not timed), with the mailbox sensor at its default interval (TUPHAP_MAIL_INTERVAL_SECONDS
unset: 15 s), a real IMAP server (pymap, tests/mailbox/imap_server.py) as the mailbox, a real
SMTP server (aiosmtpd) for the receipts, and the sample contacts register. Each run mails one
more correction of the same report, from its unit's officer, with its Vietnamese name encoded
as mail programs send it, and polls until both the corrected figure is published and the
threaded receipt has arrived. The time includes the sensor's next tick (0 to 15 s), the run
queue, the run worker's start, the pull, the load, the publish and the receipt.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from benchmarks import inputs
from benchmarks.loads import Log
from benchmarks.results import TARGETS, Measurement
from benchmarks.service import published_value, start_demo_service, time_run
from ingest.contacts import check_register, recipients
from ingest.reference import load_registry
from orchestration.automation.mail_sensor import DEFAULT_INTERVAL_SECONDS

REGISTER = inputs.PROJECT_ROOT / "ingest" / "sample" / "contacts.csv"
MAILBOX = "baocao@tuphap.example"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def new_measurement() -> Measurement:
    return Measurement("f_mail_latency",
                       "(f) mailed report -> published and receipted (service)",
                       TARGETS["f_seconds"])


def officer_of(register_text: str, unit_code: str, day: date) -> str:
    """Who mails the unit's report on `day`: the first officer in the contacts register of
    the unit that answers for it then (itself, or its successor since the 2025 mergers)."""
    registry = load_registry()
    contacts = check_register(register_text, registry).contacts
    return recipients(contacts, unit_code, ("officer",), day, registry)[0].email


def report_message(report: Path, sender: str, attachment_name: str) -> EmailMessage:
    """An officer's message carrying `report` under `attachment_name` (RFC 2231-encoded when
    it is Vietnamese, as mail programs send it)."""
    msg = EmailMessage()
    msg["From"] = f"Cán bộ tổng hợp <{sender}>"
    msg["To"] = MAILBOX
    msg["Subject"] = "Báo cáo đính chính"
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content("Kính gửi, đơn vị gửi lại báo cáo đã đính chính.")
    msg.add_attachment(report.read_bytes(), maintype=XLSX[0], subtype=XLSX[1],
                       filename=attachment_name)
    return msg


def receipted(raw_messages: Sequence[bytes], message_id: str) -> bool:
    """Whether one of the messages the SMTP server received replies to `message_id`."""
    return any(message_from_bytes(raw).get("In-Reply-To", "").strip() == message_id
               for raw in raw_messages)


def measure_mailed_report(m: Measurement, demo: Path, work_root: Path, *, runs: int,
                          keep: bool, log: Log) -> None:
    """`runs` corrections mailed to the running service's mailbox, each timed."""
    from tests.correspondence.smtp_server import SmtpServer
    from tests.mailbox.imap_server import ImapServer

    folder = work_root / "mail_service"
    shutil.rmtree(folder, ignore_errors=True)
    register = REGISTER.read_text(encoding="utf-8")
    m.info["mail_sensor_interval_seconds"] = DEFAULT_INTERVAL_SECONDS
    with ExitStack() as stack:
        smtp = stack.enter_context(SmtpServer())
        imap = stack.enter_context(ImapServer())
        service = start_demo_service(
            m, demo, folder, stack, sensor="mailbox_sensor", log=log, label="(f mail)",
            env={**smtp.environment(), **imap.environment(), "TUPHAP_IMAP_ADDRESS": MAILBOX,
                 "TUPHAP_CONTACTS": str(REGISTER)})
        source = demo
        for i in range(runs):
            staging = Path(tempfile.mkdtemp(prefix=f"mailed-{i}-", dir=folder))
            correction = inputs.make_correction(source, staging)
            source = staging
            sender = officer_of(register, correction.unit_code, datetime.now(UTC).date())
            message = report_message(correction.path, sender,
                                     f"Báo cáo đính chính lần {i + 1} - {correction.path.name}")
            appended = time.monotonic()
            imap.append(message.as_bytes())
            if not time_run(m, service, i, runs, appended,
                            lambda c=correction, mid=str(message["Message-ID"]):
                            published_value(service.warehouse, c) == c.new_total
                            and receipted([mail.data for mail in smtp.mails], mid),
                            "published and receipted", log, "(f mail)", correction):
                break
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)

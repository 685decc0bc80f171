"""Watch the mailbox (TUPHAP_IMAP_URL) and ask for a load when a message arrives.

The tick only looks: it opens the folder read-only and lists its UIDs (no message is fetched,
no flag changed); a UID above those it saw before (its cursor: the folder's UIDVALIDITY and
highest UID) asks for a load of every reporting year (which years a mailed report is for is
known only once it is read), whose first step (`mailed_reports`) takes the messages. Taking
is the pull's job alone, so a message is taken once whichever load runs first (`tuphap load`,
the inbox sensor's, this one's). A mailbox that cannot be read skips the tick with why (a wrong
password, a server gone): the next tick tries again. Interval: TUPHAP_MAIL_INTERVAL_SECONDS
(default 10 s, as the inbox sensor: a mailed report is published and receipted within a
minute).
"""

import json
import os

import dagster as dg

from orchestration.automation.jobs import LOAD_JOB_NAME
from orchestration.mailbox.address import MailboxSettingError, mailbox_settings
from orchestration.mailbox.imap import Mailbox, MailboxUnreachableError
from orchestration.partitions import range_tags, years_partitions

INTERVAL_ENV = "TUPHAP_MAIL_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 10  # as the inbox sensor's


def interval_seconds() -> int:
    text = os.environ.get(INTERVAL_ENV, "").strip()
    if not text:
        return DEFAULT_INTERVAL_SECONDS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{INTERVAL_ENV} must be a whole number of seconds >= 1, not {text!r}")
    return int(text)


def usable_cursor(cursor: object) -> dict:
    """The cursor as this version writes it, {"uid_validity": int, "uid": int}, or {} (nothing
    known) for anything else: no cursor, one of an older format, a damaged one."""
    if not isinstance(cursor, dict):
        return {}
    values = cursor.get("uid_validity"), cursor.get("uid")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return {}
    return {"uid_validity": values[0], "uid": values[1]}


def read_cursor(text: str | None) -> dict:
    """The cursor a tick left (its JSON text), usable_cursor's way."""
    try:
        return usable_cursor(json.loads(text) if text else None)
    except ValueError:
        return {}


def decide(cursor: object, uid_validity: int, uids: list[int]) -> tuple[bool, dict]:
    """(ask for a load?, the new cursor): a load when the folder holds a UID above the last
    one seen under the same UIDVALIDITY, or any message after a UIDVALIDITY change or with no
    usable cursor (asking once too often costs one load that takes nothing: the pull takes
    each message once, ever)."""
    known = usable_cursor(cursor)
    newest = max(uids, default=0)
    seen = known["uid"] if known.get("uid_validity") == uid_validity else 0
    return newest > seen, {"uid_validity": uid_validity, "uid": max(newest, seen)}


def load_request(uid_validity: int, uid: int) -> dg.RunRequest:
    keys = years_partitions.get_partition_keys()
    return dg.RunRequest(run_key=f"mail-{uid_validity}-{uid}",
                         tags={**range_tags(keys[0], keys[-1]), "tuphap/trigger": "mailbox"})


@dg.sensor(
    job_name=LOAD_JOB_NAME,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a load when a message arrives in the units' mailbox (TUPHAP_IMAP_URL).",
)
def mailbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    try:
        mail = mailbox_settings()
    except MailboxSettingError as error:
        return dg.SensorResult(skip_reason=str(error))
    if mail is None:
        return dg.SensorResult(skip_reason="no mailbox configured (TUPHAP_IMAP_URL)")
    cursor = read_cursor(context.cursor)
    try:
        with Mailbox(mail.address, mail.password) as box:
            uid_validity, uids = box.uid_validity, box.uids()
    except MailboxUnreachableError as error:
        return dg.SensorResult(skip_reason=str(error))
    wanted, new_cursor = decide(cursor, uid_validity, uids)
    if not wanted:
        return dg.SensorResult(skip_reason="no new message", cursor=json.dumps(new_cursor))
    context.log.info(f"new mail in {mail.address.label}: a load takes it")
    return dg.SensorResult(run_requests=[load_request(uid_validity, new_cursor["uid"])],
                           cursor=json.dumps(new_cursor))

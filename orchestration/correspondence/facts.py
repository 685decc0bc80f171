"""What the warehouse says a unit should hear about, read from the published warehouse after
a load: the files received since correspondence began, what each was read as and became, the
figures a correction changed, the open issues and the reports still missing.

Read here, planned in plan.py: every query is one statement with bound values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from orchestration.correspondence.compose import IssueNote
from orchestration.warehouse.engine import Connection
from orchestration.warehouse.sql import query_dicts, table_exists

# Issues a unit does not hear about as issues: a targets decision's gap (the cluster's), the
# trace of a correction (the receipt says what it changed), and a missing report (GEN-01 fires
# as soon as any unit reports the year, before the due date: the deadline reminders say it on
# the calendar's days, with the blank form).
NOT_FOR_UNITS = ("TGT-01", "GEN-04", "GEN-01")

# A file is news when it was received since `?`, or first seen since then: a mailed file
# counts as received when its message arrived, before the load that took it.
_NEW = """(select sha256 from raw.received_files where received_at >= ?
    union select sha256 from raw.file_receipts where first_seen_at >= ?)"""
_FILES = """
    select sha256, source_file, received_at, status, reason, rejection_unit_code, rejection_year
    from raw.received_files where sha256 in """ + _NEW + """ order by received_at, source_file
"""  # noqa: S608
# Every submission of a (unit, year, form) that a file received since `?` reports on: the new
# ones and the ones they may supersede.
_GROUP_SUBMISSIONS = """
    select s.submission_id, s.sha256, s.source_file, s.unit_code, s.year, s.form, s.received_at,
        coalesce(ranked.is_winning, false) as is_winning
    from raw.submissions as s
    left join intermediate.int_submissions_ranked as ranked
        on ranked.submission_id = s.submission_id
    where exists (
        select 1 from raw.submissions as n
        where n.sha256 in """ + _NEW + """ and n.unit_code = s.unit_code and n.year = s.year
            and n.form = s.form)
    order by s.received_at, s.submission_id
"""  # noqa: S608
# The figures of the reports a new file may correct: groups with more than one submission.
_GROUP_TOTALS = """
    with corrected as (
        select n.unit_code, n.year, n.form from raw.submissions as n
        where n.sha256 in """ + _NEW + """
        intersect
        select unit_code, year, form from raw.submissions
        group by unit_code, year, form having count(*) > 1
    )
    select v.submission_id, v.subunit, v.indicator, v.value
    from raw.submission_values as v
    inner join raw.submissions as s on s.submission_id = v.submission_id
    inner join corrected as c
        on c.unit_code = s.unit_code and c.year = s.year and c.form = s.form
"""  # noqa: S608
_ISSUES = """
    select fingerprint, rule_id, severity, form, unit_code, year, message, status, first_seen_at
    from main.dq_issues where status = 'open' order by first_seen_at, fingerprint
"""
_MISSING = """
    select unit_code, year, form, due_date, status from main.rpt_submissions
    where status <> 'received' order by unit_code, year, form
"""


@dataclass(frozen=True)
class Submission:
    submission_id: str
    sha256: str
    source_file: str
    unit_code: str
    year: int
    form: str
    received_at: datetime
    is_winning: bool  # the report the warehouse uses for its unit, year and form


@dataclass
class LoadFacts:
    files: list[dict]
    submissions: list[Submission]
    values: dict[str, dict[tuple[str, str], float | None]]  # submission -> (sub-unit, ind.)
    issues: list[dict]


def read_load_facts(con: Connection, since: datetime) -> LoadFacts:
    files = query_dicts(con, _FILES, [since, since])
    submissions = [Submission(**row) for row in query_dicts(con, _GROUP_SUBMISSIONS,
                                                            [since, since])]
    values: dict[str, dict[tuple[str, str], float | None]] = defaultdict(dict)
    for row in query_dicts(con, _GROUP_TOTALS, [since, since]):
        values[row["submission_id"]][(row["subunit"] or "", row["indicator"])] = row["value"]
    return LoadFacts(files, submissions, dict(values), open_issues(con))


def open_issues(con: Connection) -> list[dict]:
    if not table_exists(con, "main", "dq_issues"):
        return []
    return [row for row in query_dicts(con, _ISSUES) if row["rule_id"] not in NOT_FOR_UNITS]


def missing_reports(con: Connection) -> list[dict]:
    if not table_exists(con, "main", "rpt_submissions"):
        return []
    return query_dicts(con, _MISSING)


def issue_note(row: dict) -> IssueNote:
    return IssueNote(row["fingerprint"], row["rule_id"], row["severity"], row["form"],
                     int(row["year"]), row["message"])

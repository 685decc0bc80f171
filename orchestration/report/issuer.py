"""The issuing block of the report, from the data team's configuration.

A document a ministry sends names who issues it, its number, the place and date of issue and a
contact, in the layout of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP): the
issuing body top left with the number under it, the national motto top right with the place and
date. The data team sets these once (environment variables below); without an issuing body the
report is a draft ("Dự thảo") and says so in its header.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from ingest.dates import parse_day
from orchestration.report.model import Issuer

SETTINGS = {  # field -> environment variable
    "body": "TUPHAP_REPORT_ISSUER",  # e.g. "Sở Tư pháp tỉnh Lào Cai"
    "parent": "TUPHAP_REPORT_ISSUER_PARENT",  # e.g. "Ủy ban nhân dân tỉnh Lào Cai"
    "number": "TUPHAP_REPORT_NUMBER",  # e.g. "125/BC-STP"
    "place": "TUPHAP_REPORT_PLACE",  # e.g. "Lào Cai"
    "issued_on": "TUPHAP_REPORT_DATE",  # dd/mm/yyyy or yyyy-mm-dd
    "contact": "TUPHAP_REPORT_CONTACT",  # e.g. "Phòng Phổ biến, giáo dục pháp luật, 0214 ..."
}


class IssuerSettingError(ValueError):
    """A setting of the issuing block cannot be read (message for the data team)."""


def issuer_from(environ: Mapping[str, str] | None = None) -> Issuer:
    """The issuing block configured in `environ` (the process environment by default)."""
    env = os.environ if environ is None else environ
    values = {key: (env.get(name) or "").strip() or None for key, name in SETTINGS.items()}
    raw_date = values.pop("issued_on")
    return Issuer(issued_on=_date(raw_date), **values)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_day(text)  # the data team's dates, as in the register and the calendar
    except ValueError:
        raise IssuerSettingError(f"{SETTINGS['issued_on']}={text!r} is not a date "
                                 "(dd/mm/yyyy or yyyy-mm-dd)") from None

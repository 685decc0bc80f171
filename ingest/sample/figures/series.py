"""The yearly unit totals of one old province (up to 2024, plus the virtual 2025 its successor
is built from), one function per form family, each drawing from the province's generator.

The order of the draws is part of the sample: the functions are called in a fixed order
(dissemination, mediation, enforcement by cases, then by money) and every random number is
drawn whether or not it is used, so anchoring a province never shifts another's figures.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.sample.figures.atoms import derive
from ingest.sample.figures.seed import ANCHOR_YEAR, MERGER_YEAR, MODEL_YEARS
from ingest.sample.figures.ties import fix_total_ties

Series = dict[int, dict[str, int]]  # year -> atoms of the unit total
Anchor = Mapping[str, int] | None  # the province's published 2022 figures, if it has them

# National scale: a few provinces are far larger than the typical one (STP factor, THADS factor).
_BIG_PROVINCES: dict[str, tuple[float, float]] = {
    "01": (4.0, 15.0), "79": (4.0, 28.0), "31": (2.0, 5.0), "74": (1.5, 8.0),
    "75": (1.8, 6.0), "48": (1.2, 3.0), "92": (1.3, 3.5), "22": (1.5, 3.5), "38": (2.5, 4.5),
    "40": (2.5, 4.5),
}
# A typical cluster province (the 2022 cluster totals / 7) for the figures not published.
_TYPICAL = {
    "sessions": 3900, "attendees": 261_000, "documents": 58_700, "legal_reporters": 85,
    "legal_propagandists": 2100, "teams": 1450, "mediators": 9800, "cases_received": 464,
    "cases_successful": 393, "accepted_cases": 3860, "accepted_money": 600_000_000,
}
_ACTIVITY = ("sessions", "attendees", "documents")


def trend(rng: random.Random, lo: float = 0.8, hi: float = 1.25, down: float = -0.07,
          up: float = 0.09) -> dict[int, float]:
    """A year multiplier (1 in the anchor year) that moves at most -7%..+9% a year, bounded.

    Bounded to 0.8-1.25 so no year is twice or half another (GEN-03 stays quiet), and with
    ±2% noise per indicator a year-to-year change stays within ±15%.
    """
    m = {ANCHOR_YEAR: 1.0}
    for y in range(ANCHOR_YEAR + 1, MODEL_YEARS[-1] + 1):
        m[y] = min(hi, max(lo, m[y - 1] * (1 + rng.uniform(down, up))))
    for y in range(ANCHOR_YEAR - 1, MODEL_YEARS[0] - 1, -1):
        m[y] = min(hi, max(lo, m[y + 1] / (1 + rng.uniform(down, up))))
    return m


def _slow_trend(rng: random.Random) -> dict[int, float]:
    """For staff counts, which change less than activity."""
    return trend(rng, lo=0.9, hi=1.1, down=-0.03, up=0.03)


def noise(rng: random.Random, year: int, anchored: bool, width: float = 0.02) -> float:
    draw = rng.uniform(-width, width)  # always drawn, so anchoring never shifts the stream
    return 1.0 if anchored and year == ANCHOR_YEAR else 1 + draw


def province_size(code: str, rng: random.Random, anchored: bool) -> tuple[float, float]:
    """(STP factor, THADS factor) against a typical cluster province; 1 for the anchored."""
    drawn = (rng.uniform(0.9, 2.2), rng.uniform(1.5, 5.0))  # drawn even when not used
    if anchored:
        return 1.0, 1.0
    return _BIG_PROVINCES.get(code, drawn)


def dissemination_series(rng: random.Random, stp_f: float, anchor: Anchor) -> Series:
    anchored = anchor is not None
    m, slow = trend(rng), _slow_trend(rng)
    base = {k: (anchor[k] if anchor is not None else
                _TYPICAL[k] * stp_f * rng.uniform(0.85, 1.15)) for k in _ACTIVITY}
    base["legal_reporters"] = _TYPICAL["legal_reporters"] * stp_f * rng.uniform(0.7, 1.3)
    base["legal_propagandists"] = (_TYPICAL["legal_propagandists"] * stp_f
                                   * rng.uniform(0.7, 1.3))
    out: Series = {}
    for y in MODEL_YEARS:
        row = {k: round(base[k] * m[y] * noise(rng, y, anchored)) for k in _ACTIVITY}
        row["legal_reporters"] = round(base["legal_reporters"] * slow[y])
        row["legal_propagandists"] = round(base["legal_propagandists"] * slow[y]
                                           * noise(rng, y, False))
        out[y] = row
    return out


def mediation_series(rng: random.Random, stp_f: float, anchor: Anchor) -> Series:
    anchored = anchor is not None
    m, slow = trend(rng), _slow_trend(rng)
    received_b = anchor["cases_received"] if anchor is not None else (
        _TYPICAL["cases_received"] * stp_f * rng.uniform(0.8, 1.2))
    success_b = anchor["cases_successful"] if anchor is not None else (
        received_b * rng.uniform(0.78, 0.9))
    teams_b = _TYPICAL["teams"] * stp_f * rng.uniform(0.8, 1.2)
    mediators_per_team = rng.uniform(5.5, 7.5)
    pending_share = rng.uniform(0.25, 0.45)
    out: Series = {}
    for y in MODEL_YEARS:
        received = round(received_b * m[y] * noise(rng, y, anchored))
        success = min(round(success_b * m[y] * noise(rng, y, anchored)),
                      received - max(1, received // 40))
        rest = received - success
        pending = round(rest * pending_share)
        teams = round(teams_b * slow[y])
        row = {"teams": teams, "mediators": round(teams * mediators_per_team
                                                  * noise(rng, y, False)),
               "cases_successful": success, "cases_unsuccessful": rest - pending,
               "cases_pending": pending}
        if not (anchored and y == ANCHOR_YEAR):
            fix_total_ties("HOAGIAI", row)
        out[y] = row
    return out


@dataclass(frozen=True)
class _EnforcementBase:
    """A province's enforcement figures in the anchor year, and its yearly shares."""

    accepted: float
    eligible: float
    resolved: float
    entrusted_share: float
    revoked_share: float
    completed_share: float


def _enforcement_base(rng: random.Random, form: str, thads_f: float,
                      anchor: Anchor) -> _EnforcementBase:
    if form != "THADS_VIEC":  # money: only the cases are published
        accepted = _TYPICAL["accepted_money"] * thads_f * rng.uniform(0.6, 1.6)
        eligible = accepted * rng.uniform(0.55, 0.70)
        resolved = eligible * rng.uniform(0.38, 0.55)
        entrusted, revoked = rng.uniform(0.003, 0.007), rng.uniform(0.002, 0.006)
        return _EnforcementBase(accepted, eligible, resolved, entrusted, revoked,
                                rng.uniform(0.82, 0.93))
    accepted = anchor["accepted"] if anchor is not None else (
        _TYPICAL["accepted_cases"] * thads_f * rng.uniform(0.8, 1.2))
    eligible = anchor["eligible"] if anchor is not None else (
        accepted * rng.uniform(0.875, 0.915))
    resolved = anchor["resolved"] if anchor is not None else (
        eligible * rng.uniform(0.85, 0.93))
    entrusted, revoked = rng.uniform(0.005, 0.009), rng.uniform(0.002, 0.005)
    return _EnforcementBase(accepted, eligible, resolved, entrusted, revoked,
                            rng.uniform(0.90, 0.95))


def enforcement_series(rng: random.Random, form: str, thads_f: float, anchor: Anchor,
                       code: str) -> Series:
    """THADS_VIEC (anchored in the cluster) or THADS_TIEN; carried over chains year to year."""
    anchor = anchor if form == "THADS_VIEC" else None
    anchored = anchor is not None
    m = trend(rng)
    base = _enforcement_base(rng, form, thads_f, anchor)
    out: Series = {}
    carried: int | None = None
    for y in MODEL_YEARS:
        row = _enforcement_row(rng, y, base, m[y], anchored)
        # First modelled year: assume a steady state (carried over = carried forward).
        row["carried_over"] = carried if carried is not None else (
            row["not_eligible"] + row["_unresolved"])
        if not (anchored and y == ANCHOR_YEAR):
            fix_total_ties(form, row)
        counts = derive(form, row)
        assert counts["new"] >= 0, (code, form, y)
        carried = counts["carried_forward"]
        out[y] = row
    return out


def _enforcement_row(rng: random.Random, y: int, base: _EnforcementBase, m: float,
                     anchored: bool) -> dict[str, int]:
    """One year's atoms but carried over, which depends on the year before."""
    accepted = round(base.accepted * m * noise(rng, y, anchored))
    eligible = round(base.eligible * m * noise(rng, y, anchored))
    resolved = min(round(base.resolved * m * noise(rng, y, anchored)), eligible)
    # From 2025 entrusting cases between areas largely ends (one-tier system).
    entrusted = round(accepted * base.entrusted_share * (0.05 if y >= MERGER_YEAR else 1)
                      * noise(rng, y, False, 0.2))
    revoked = round(accepted * base.revoked_share * noise(rng, y, False, 0.2))
    room = accepted - eligible
    if entrusted + revoked > room:  # keep eligible <= to_enforce
        entrusted, revoked = room // 2, room - room // 2
    completed = round(resolved * base.completed_share * noise(rng, y, False, 0.01))
    return {"entrusted": entrusted, "revoked": revoked,
            "not_eligible": accepted - entrusted - revoked - eligible,
            "_unresolved": eligible - resolved, "completed": completed,
            "terminated": resolved - completed}

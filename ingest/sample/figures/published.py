"""The cluster's published 2022 totals, split exactly over the cluster's provinces.

The only real statistics in the sample: every province's 2022 figures of these indicators are
fixed here, and the rest of the model grows each province's series around them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ingest.sample.figures.atoms import CHECKED_DECIMALS, is_rate_tie, split_exact
from ingest.sample.figures.seed import SEED

# The cluster's 2022 totals as published (baophapluat.vn, 28/11/2022; domain.md). Attendees is
# printed "hơn 1,8 triệu" and cases accepted "trên 27.00" (a typo for a figure of 27.0xx): both
# values below are ASSUMED, chosen inside the printed bounds.
PUBLISHED_2022: dict[tuple[str, str], int] = {
    ("PBGDPL", "sessions"): 27_430,
    ("PBGDPL", "attendees"): 1_826_513,  # assumed ("more than 1.8 million")
    ("PBGDPL", "documents"): 410_870,
    ("HOAGIAI", "cases_received"): 3_247,
    ("HOAGIAI", "cases_successful"): 2_754,
    ("THADS_VIEC", "accepted"): 27_045,  # assumed: the article's "27.00" is a typo
    ("THADS_VIEC", "eligible"): 24_196,
    ("THADS_VIEC", "resolved"): 21_698,
}

# Relative size of the cluster's provinces, per family (a guess from population and caseload;
# only the shares matter: the 2022 totals are fixed).
_CLUSTER_WEIGHTS: dict[str, dict[str, float]] = {
    "PBGDPL": {"02": 1.00, "04": 0.85, "10": 1.05, "11": 0.90, "12": 0.75, "14": 1.35,
               "20": 1.10},
    "HOAGIAI": {"02": 1.00, "04": 0.80, "10": 1.00, "11": 1.05, "12": 0.80, "14": 1.30,
                "20": 1.05},
    "THADS_VIEC": {"02": 0.85, "04": 0.70, "10": 1.15, "11": 0.85, "12": 0.60, "14": 1.50,
                   "20": 1.35},
}

Split = dict[str, dict[str, int]]  # province code -> indicator -> value


def split_published_2022(codes: Sequence[str]) -> Split:
    """The 2022 cluster totals split over the provinces `codes`, exactly.

    province code -> indicator -> value, for the published indicators.
    """
    rng = random.Random(f"{SEED}:anchor")
    out: Split = {c: {} for c in codes}
    _split_families(out, codes, rng)
    # Break rate ties by moving one case between provinces (sums unchanged).
    for num, den in (("cases_successful", "cases_received"), ("resolved", "eligible")):
        _break_ties(out, codes, num, den)
    for c in codes:  # sanity: the published figures must make a coherent province
        v = out[c]
        assert v["cases_successful"] < v["cases_received"], c
        assert v["resolved"] < v["eligible"] < v["accepted"], c
        assert v["sessions"] <= v["attendees"] <= 1000 * v["sessions"], c
    return out


def _split_families(out: Split, codes: Sequence[str], rng: random.Random) -> None:
    """Each family's main figure by province weight; the others in proportion to it."""

    def weights(family: str) -> list[float]:
        base = _CLUSTER_WEIGHTS[family]
        return [base.get(c, 1.0) * (1 + rng.uniform(-0.05, 0.05)) for c in codes]

    def put(indicator: str, parts: list[int]) -> None:
        for c, v in zip(codes, parts, strict=True):
            out[c][indicator] = v

    def total(form: str, indicator: str) -> int:
        return PUBLISHED_2022[form, indicator]

    sessions = split_exact(total("PBGDPL", "sessions"), weights("PBGDPL"))
    put("sessions", sessions)
    put("attendees", split_exact(total("PBGDPL", "attendees"),
                                 [s * rng.uniform(0.9, 1.1) for s in sessions]))
    put("documents", split_exact(total("PBGDPL", "documents"),
                                 [s * rng.uniform(0.85, 1.15) for s in sessions]))
    received = split_exact(total("HOAGIAI", "cases_received"), weights("HOAGIAI"))
    put("cases_received", received)
    put("cases_successful", split_exact(total("HOAGIAI", "cases_successful"),
                                        [r * rng.uniform(0.95, 1.05) for r in received]))
    eligible = split_exact(total("THADS_VIEC", "eligible"), weights("THADS_VIEC"))
    put("eligible", eligible)
    put("resolved", split_exact(total("THADS_VIEC", "resolved"),
                                [e * rng.uniform(0.97, 1.03) for e in eligible]))
    put("accepted", split_exact(total("THADS_VIEC", "accepted"),
                                [e / rng.uniform(0.88, 0.91) for e in eligible]))


def _break_ties(out: Split, codes: Sequence[str], num: str, den: str) -> None:
    for _ in range(100):
        tied = [c for c in codes if any(is_rate_tie(out[c][num], out[c][den], d)
                                        for d in CHECKED_DECIMALS)]
        if not tied:
            return
        c = tied[0]
        other = next(o for o in codes if o != c)
        out[c][num] -= 1
        out[other][num] += 1
    raise RuntimeError("could not break rate ties in the 2022 split")  # pragma: no cover

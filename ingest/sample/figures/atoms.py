"""Atoms: the non-negative parts every indicator of a form is derived from, and exact arithmetic.

A table stores atoms per sub-unit and derives every indicator from them (e.g. to_enforce =
not_eligible + eligible-unresolved + completed + terminated). Sums of atoms are atoms, so the
total row equals the sum of the sub-units and every identity of quality-rules.md holds on every
row by construction. Rates are never stored: a writer prints them from the counts (`rate`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from ingest.forms import FORM_INDICATORS, RATE_INDICATORS

# "_unresolved" (eligible but not resolved) is internal: it is no indicator of the forms.
FORM_ATOMS: dict[str, tuple[str, ...]] = {
    "PBGDPL": ("sessions", "attendees", "documents", "legal_reporters", "legal_propagandists"),
    "HOAGIAI": ("teams", "mediators", "cases_successful", "cases_unsuccessful", "cases_pending"),
    "THADS_VIEC": ("carried_over", "entrusted", "revoked", "not_eligible", "_unresolved",
                   "completed", "terminated"),
}
FORM_ATOMS["THADS_TIEN"] = FORM_ATOMS["THADS_VIEC"]
ENFORCEMENT_FORMS = ("THADS_VIEC", "THADS_TIEN")
# rate indicator -> (numerator, denominator)
RATE_OPERANDS: dict[str, tuple[str, str]] = {
    "success_rate": ("cases_successful", "cases_received"),
    "resolution_rate": ("resolved", "eligible"),
}
CHECKED_DECIMALS = (0, 2)  # precisions units print rates with; no tie allowed at either


def split_exact(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number into parts proportional to weights that sum to it exactly.

    Largest remainder method, ties broken by position, so the split is deterministic.
    """
    if total < 0:
        raise ValueError("cannot split a negative total")
    s = float(sum(weights))
    raw = [total * w / s for w in weights]
    parts = [math.floor(r) for r in raw]
    left = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def is_rate_tie(num: int, den: int, decimals: int) -> bool:
    """True when 100*num/den lies exactly half-way between two values printed at `decimals`."""
    if den == 0:
        return False
    return Fraction(100 * num * 10**decimals, den).denominator == 2


def rate(num: int, den: int, decimals: int) -> Decimal | None:
    """100*num/den rounded half-up to `decimals`, as a unit prints it; None when den is 0."""
    if den == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(100 * num) / Decimal(den)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _enforcement_counts(atoms: Mapping[str, int]) -> dict[str, int]:
    co, en, rv = atoms["carried_over"], atoms["entrusted"], atoms["revoked"]
    ne, ue = atoms["not_eligible"], atoms["_unresolved"]
    cp, tm = atoms["completed"], atoms["terminated"]
    accepted = en + rv + ne + ue + cp + tm
    to_enforce = accepted - en - rv
    resolved = cp + tm
    return {
        "carried_over": co, "new": accepted - co, "accepted": accepted, "entrusted": en,
        "revoked": rv, "to_enforce": to_enforce, "eligible": to_enforce - ne,
        "not_eligible": ne, "completed": cp, "terminated": tm, "resolved": resolved,
        "carried_forward": to_enforce - resolved,
    }


def derive(form: str, atoms: Mapping[str, int]) -> dict[str, int]:
    """Every count indicator of the form (in form order, rates excluded) from its atoms."""
    if form in ENFORCEMENT_FORMS:
        out = _enforcement_counts(atoms)
    elif form == "HOAGIAI":
        out = dict(atoms)
        out["cases_received"] = (atoms["cases_successful"] + atoms["cases_unsuccessful"]
                                 + atoms["cases_pending"])
    else:
        out = dict(atoms)
    return {k: out[k] for k in FORM_INDICATORS[form] if k not in RATE_INDICATORS}


def sum_atoms(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows:
        for k, v in row.items():
            total[k] = total.get(k, 0) + v
    return total

"""No printed rate may fall exactly half-way between two values: Python and SQL checkers round
ties differently (half up, half to even), so a tie would make them disagree on ENF-08/MED-03.

Ties are broken by moving single units of an atom, between sub-unit rows (the total stays the
same, so calibrated totals stay exact) or within an uncalibrated unit total.
"""

from __future__ import annotations

from collections.abc import Mapping

from ingest.forms import FORM_INDICATORS
from ingest.sample.figures.atoms import (
    CHECKED_DECIMALS,
    ENFORCEMENT_FORMS,
    RATE_OPERANDS,
    derive,
    is_rate_tie,
)

# Atoms whose move between rows (or within a total) changes a rate's numerator or denominator.
_TIE_ATOMS = {"HOAGIAI": ("cases_successful", "cases_unsuccessful", "cases_pending"),
              "THADS_VIEC": ("completed", "_unresolved", "terminated"),
              "THADS_TIEN": ("completed", "_unresolved", "terminated")}
# For a unit total: the atom that gives one unit, and the one that takes it.
_TOTAL_TIE_MOVE = {"HOAGIAI": ("cases_successful", "cases_unsuccessful"),
                   "THADS_VIEC": ("completed", "_unresolved"),
                   "THADS_TIEN": ("completed", "_unresolved")}


def rate_ties(form: str, atoms: Mapping[str, int]) -> bool:
    """True when a rate of this row would print as a tie at a precision units use."""
    counts = derive(form, atoms)
    for indicator in FORM_INDICATORS[form]:
        if indicator in RATE_OPERANDS:
            num, den = RATE_OPERANDS[indicator]
            if any(is_rate_tie(counts[num], counts[den], d) for d in CHECKED_DECIMALS):
                return True
    return False


def _row_ok(form: str, atoms: Mapping[str, int]) -> bool:
    if rate_ties(form, atoms):
        return False
    return form not in ENFORCEMENT_FORMS or derive(form, atoms)["new"] >= 0


def fix_row_ties(form: str, rows: list[dict[str, int]]) -> None:
    """Break rate ties on sub-unit rows by moving one unit of an atom between two rows.

    The total does not change, so calibrated totals stay exact. Small rows tie often (28 of
    32 cases is 87,5%), so every atom of the rate and both directions are tried.
    """
    if form not in _TIE_ATOMS:
        return
    for _ in range(10 * len(rows) + 10):
        tied = [i for i, r in enumerate(rows) if rate_ties(form, r)]
        if not tied:
            return
        i = tied[0]
        if not _move_one(form, rows, i):
            break
    raise RuntimeError(f"could not break rate ties in {form}")


def _move_one(form: str, rows: list[dict[str, int]], i: int) -> bool:
    for atom in _TIE_ATOMS[form]:
        for j in range(len(rows)):
            if j == i:
                continue
            for a, b in ((i, j), (j, i)):
                if rows[a][atom] < 1:
                    continue
                rows[a][atom] -= 1
                rows[b][atom] += 1
                if _row_ok(form, rows[i]) and _row_ok(form, rows[j]):
                    return True
                rows[a][atom] += 1
                rows[b][atom] -= 1
    return False


def fix_total_ties(form: str, atoms: dict[str, int]) -> None:
    """Break a rate tie on a unit total (not calibrated) by moving one unit within the total."""
    if form not in _TOTAL_TIE_MOVE:
        return
    src, sink = _TOTAL_TIE_MOVE[form]
    while rate_ties(form, atoms):
        atoms[src] -= 1
        atoms[sink] += 1

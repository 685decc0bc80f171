"""One form of one unit-year as a table of atoms per sub-unit, and how a total is spread."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingest.sample.figures.atoms import (
    ENFORCEMENT_FORMS,
    FORM_ATOMS,
    derive,
    split_exact,
    sum_atoms,
)
from ingest.sample.figures.ties import fix_row_ties


@dataclass(frozen=True)
class FormTable:
    """One form of one unit-year: sub-unit rows of atoms; the total is their sum."""

    form: str
    subunits: tuple[str, ...]
    atoms: tuple[Mapping[str, int], ...]

    def rows(self) -> tuple[dict[str, int], ...]:
        return tuple(derive(self.form, a) for a in self.atoms)

    def total_atoms(self) -> dict[str, int]:
        return sum_atoms(self.atoms)

    def total(self) -> dict[str, int]:
        return derive(self.form, self.total_atoms())


@dataclass(frozen=True)
class UnitYear:
    """One unit's figures for one reporting year, every form of its type."""

    unit_code: str
    unit_type: str
    province_code: str
    year: int
    tables: Mapping[str, FormTable]


def split_table(form: str, total: Mapping[str, int], subunits: Sequence[str],
                weights: Sequence[float], rng: random.Random,
                carried_over: Sequence[int] | None = None) -> FormTable:
    """Spread a unit total over sub-units; the sub-units sum to the total exactly.

    For enforcement forms, `carried_over` gives each sub-unit's figure (last year's carried
    forward of the same sub-unit) so the chain holds per sub-unit too; without it, carried
    over is spread like the rest.
    """
    rows = _spread_atoms(form, total, len(subunits), weights, rng)
    if form in ENFORCEMENT_FORMS:
        # Added last: the order of a row's atoms is the order later draws follow.
        co = _carried_over_split(form, total["carried_over"], rows, carried_over)
        for row, c in zip(rows, co, strict=True):
            row["carried_over"] = c
    fix_row_ties(form, rows)
    return FormTable(form, tuple(subunits), tuple(rows))


def _spread_atoms(form: str, total: Mapping[str, int], n: int, weights: Sequence[float],
                  rng: random.Random) -> list[dict[str, int]]:
    """Every atom but carried over split by the weights, each with its own small jitter."""
    rows: list[dict[str, int]] = [{} for _ in range(n)]
    for atom in FORM_ATOMS[form]:
        if atom == "carried_over":
            continue
        jittered = [w * (1 + rng.uniform(-0.04, 0.04)) for w in weights]
        for row, part in zip(rows, split_exact(total[atom], jittered), strict=True):
            row[atom] = part
    return rows


def _carried_over_split(form: str, total: int, rows: Sequence[Mapping[str, int]],
                        wanted: Sequence[int] | None) -> list[int]:
    """Carried over per sub-unit: `wanted` when it fits, else the total split like accepted;
    never more than a sub-unit accepted (that would make its "new" negative)."""
    accepted = [derive(form, {**r, "carried_over": 0})["accepted"] for r in rows]
    if wanted is None or sum(wanted) != total or any(
            c > a for c, a in zip(wanted, accepted, strict=True)):
        wanted = split_exact(total, accepted)
    co = list(wanted)
    # Rounding can leave a sub-unit with more carried over than accepted: move the excess.
    for i in range(len(co)):
        excess = co[i] - accepted[i]
        for j in range(len(co)):
            if excess <= 0:
                break
            room = accepted[j] - co[j]
            if j != i and room > 0:
                step = min(room, excess)
                co[i] -= step
                co[j] += step
                excess -= step
    return co


_STOCKS = frozenset({"teams", "mediators", "legal_reporters", "legal_propagandists"})


def preliminary_table(table: FormTable, rng: random.Random) -> FormTable:
    """An STP report cut a month early: activity a little lower, staff counts the same.

    Not for enforcement forms, whose carried-over figures are fixed by the previous year.
    """
    if table.form in ENFORCEMENT_FORMS:
        raise ValueError("preliminary reports are an STP practice (calendar-year forms)")
    rows = []
    for atoms in table.atoms:
        rows.append({k: v if k in _STOCKS else int(v * rng.uniform(0.86, 0.93))
                     for k, v in atoms.items()})
    fix_row_ties(table.form, rows)
    return FormTable(table.form, table.subunits, tuple(rows))

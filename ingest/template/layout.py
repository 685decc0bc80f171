"""Where everything sits on a template's form sheet, and the check formulas, as plain data.

The template is the mirror of the reader (ingest.workbook.layout): metadata lines "label, then
value in the next non-empty cell", a row of column labels, the row of column numbers "(1)",
"(2)" …, sub-unit rows and the `Tổng cộng` row. Two rules of the reader shape the layout:

- the table ends at the first row that is empty in every column, so every sub-unit row carries
  its number in an "STT" column left of column (1): a row the unit leaves blank is still not
  empty, is read as "not reported", and cannot cut the table before the total row;
- cells right of the numbered columns and rows below the blank row after the table are not
  read, so the checks live there: the identity checks of the THADS forms in columns right of
  the table, the total-against-sub-units check in a row under it.

Nothing here writes a file (ingest.template.writer does): positions are 0-based (row, column)
as xlsxwriter counts them; `ref` gives the A1 address a formula or a message names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.forms import FORM_COLUMNS, RATE_INDICATORS
from ingest.workbook import cell_ref

STT_COL = 0  # "STT": the row's number, so that a blank sub-unit row is never an empty row
NAME_COL = 1  # column (1): the sub-unit's name; column (n) sits at NAME_COL + n - 1
META_VALUE_COL = NAME_COL + 1  # a metadata value sits right of its label (in NAME_COL)

TITLE_ROW, PERIOD_ROW = 0, 1
META_ROWS = {"unit_name": 3, "unit_code": 4, "year": 5, "report_date": 6, "preparer": 7}
LABEL_ROW = 9
NUMBER_ROW = 10
FIRST_DATA_ROW = 11

EXTRA_BLANK_ROWS = 5  # empty sub-unit rows after the names known from an earlier report
DEFAULT_BLANK_ROWS = 20  # when no names are known

# The identities of the THADS forms (report-format.md), as (checked indicator, signed operands):
# the check shows checked − (sum of signed operands), which must be 0.
ENFORCEMENT_IDENTITIES: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = (
    ("accepted", ((1, "carried_over"), (1, "new"))),
    ("to_enforce", ((1, "accepted"), (-1, "entrusted"), (-1, "revoked"))),
    ("to_enforce", ((1, "eligible"), (1, "not_eligible"))),
    ("resolved", ((1, "completed"), (1, "terminated"))),
    ("carried_forward", ((1, "to_enforce"), (-1, "resolved"))),
)
FORM_IDENTITIES: dict[str, tuple[tuple[str, tuple[tuple[int, str], ...]], ...]] = {
    "THADS_VIEC": ENFORCEMENT_IDENTITIES,
    "THADS_TIEN": ENFORCEMENT_IDENTITIES,
}


def ref(row: int, col: int) -> str:
    """A1 address of a 0-based (row, column)."""
    return cell_ref(row, col)


@dataclass(frozen=True)
class Identity:
    """One identity check: the indicator it checks, its operands and its check column."""

    checked: str
    operands: tuple[tuple[int, str], ...]
    column: int

    def label(self, numbers: dict[str, int]) -> str:
        """"(4) − [(2) + (3)]": what the check column shows, in column numbers."""
        terms = " ".join(("+ " if sign > 0 else "− ") + f"({numbers[ind]})"
                         for sign, ind in self.operands).removeprefix("+ ")
        return f"Chênh lệch ({numbers[self.checked]}) − [{terms}]"


@dataclass(frozen=True)
class SheetPlan:
    """The positions of one form's sheet for a given list of sub-unit rows."""

    form: str
    subunit_names: tuple[str, ...]  # pre-filled names, then `blank_rows` empty rows
    blank_rows: int

    @property
    def columns(self) -> dict[int, str]:
        """Column number -> indicator, as the form defines them."""
        return FORM_COLUMNS[self.form]

    @property
    def numbers(self) -> dict[str, int]:
        return {indicator: n for n, indicator in self.columns.items()}

    def col(self, number: int) -> int:
        """Sheet column of the form's column (number)."""
        return NAME_COL + number - 1

    def indicator_col(self, indicator: str) -> int:
        return self.col(self.numbers[indicator])

    @property
    def last_table_col(self) -> int:
        return self.col(max(self.columns))

    @property
    def value_cols(self) -> list[tuple[int, str]]:
        """(sheet column, indicator) of every value column, left to right."""
        return [(self.col(n), ind) for n, ind in sorted(self.columns.items())]

    @property
    def subunit_rows(self) -> range:
        return range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(self.subunit_names) + self.blank_rows)

    @property
    def total_row(self) -> int:
        return self.subunit_rows.stop

    @property
    def data_rows(self) -> range:
        """Sub-unit rows and the total row: every row the unit types figures in."""
        return range(FIRST_DATA_ROW, self.total_row + 1)

    @property
    def check_row(self) -> int:
        """The total-against-sub-units check, after one empty row that ends the table."""
        return self.total_row + 2

    @property
    def identities(self) -> tuple[Identity, ...]:
        """The identity checks, in columns right of the table after one spacer column."""
        first = self.last_table_col + 2
        return tuple(Identity(checked, operands, first + i)
                     for i, (checked, operands) in enumerate(FORM_IDENTITIES.get(self.form, ())))

    @property
    def last_col(self) -> int:
        checks = self.identities
        return checks[-1].column if checks else self.last_table_col


def plan_sheet(form: str, subunit_names: Sequence[str] = ()) -> SheetPlan:
    """The sheet of `form` with `subunit_names` pre-filled, then a few empty sub-unit rows."""
    if form not in FORM_COLUMNS:
        raise ValueError(f"unknown form {form!r}")
    names = tuple(subunit_names)
    blank = EXTRA_BLANK_ROWS if names else DEFAULT_BLANK_ROWS
    return SheetPlan(form, names, blank)


def total_check_formula(plan: SheetPlan, col: int) -> str:
    """Total minus the sum of the sub-units in one column; "" while either is not reported, so
    an untouched template shows no difference (and stores no number)."""
    total = ref(plan.total_row, col)
    first = ref(plan.subunit_rows.start, col)
    last = ref(plan.subunit_rows.stop - 1, col)
    return (f'=IF(OR(COUNT({total})=0,COUNT({first}:{last})=0),"",'
            f"{total}-SUM({first}:{last}))")


def identity_formula(plan: SheetPlan, identity: Identity, row: int) -> str:
    """checked − (signed operands) in one row; "" unless every cell of it holds a number."""
    checked = ref(row, plan.indicator_col(identity.checked))
    operands = [(sign, ref(row, plan.indicator_col(ind))) for sign, ind in identity.operands]
    cells = ",".join([checked, *(cell for _, cell in operands)])
    terms = "".join(("+" if sign > 0 else "-") + cell for sign, cell in operands).lstrip("+")
    return f'=IF(COUNT({cells})<{len(operands) + 1},"",{checked}-({terms}))'


def is_summable(indicator: str) -> bool:
    """Counts add up over sub-units; rates do not."""
    return indicator not in RATE_INDICATORS


__all__ = [
    "DEFAULT_BLANK_ROWS", "ENFORCEMENT_IDENTITIES", "EXTRA_BLANK_ROWS", "FIRST_DATA_ROW",
    "LABEL_ROW", "META_ROWS", "META_VALUE_COL", "NAME_COL", "NUMBER_ROW", "PERIOD_ROW", "STT_COL",
    "TITLE_ROW", "Identity", "SheetPlan", "identity_formula", "is_summable", "plan_sheet", "ref",
    "total_check_formula",
]

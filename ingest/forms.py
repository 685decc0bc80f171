"""The report forms of report-format.md: which indicators each form carries, by column number.

Column numbers fix the meaning of a column; labels are only for people. Keeping the mapping as
data lets the workbook reader, the CSV reader, the sample writer and dbt agree on one list.
"""

from __future__ import annotations

ENFORCEMENT_COLUMNS: dict[int, str] = {
    2: "carried_over", 3: "new", 4: "accepted", 5: "entrusted", 6: "revoked", 7: "to_enforce",
    8: "eligible", 9: "not_eligible", 10: "completed", 11: "terminated", 12: "resolved",
    13: "carried_forward", 14: "resolution_rate",
}

# form code -> {column number -> indicator code}; column (1) is always the sub-unit name.
FORM_COLUMNS: dict[str, dict[int, str]] = {
    "PBGDPL": {2: "sessions", 3: "attendees", 4: "documents", 5: "legal_reporters",
               6: "legal_propagandists"},
    "HOAGIAI": {2: "teams", 3: "mediators", 4: "cases_received", 5: "cases_successful",
                6: "cases_unsuccessful", 7: "cases_pending", 8: "success_rate"},
    "THADS_VIEC": ENFORCEMENT_COLUMNS,
    "THADS_TIEN": ENFORCEMENT_COLUMNS,
}

FORMS_LISTED = ", ".join(FORM_COLUMNS)
"""The form codes as a message lists them: "PBGDPL, HOAGIAI, THADS_VIEC, THADS_TIEN"."""

FORM_INDICATORS: dict[str, tuple[str, ...]] = {
    form: tuple(columns.values()) for form, columns in FORM_COLUMNS.items()
}

UNIT_TYPE_FORMS: dict[str, tuple[str, ...]] = {
    "STP": ("PBGDPL", "HOAGIAI"),
    "THADS": ("THADS_VIEC", "THADS_TIEN"),
}

FORM_UNIT_TYPE: dict[str, str] = {
    form: unit_type for unit_type, forms in UNIT_TYPE_FORMS.items() for form in forms
}

# Rates are percentages as the unit computed them; every other indicator is a whole number.
RATE_INDICATORS: frozenset[str] = frozenset({"success_rate", "resolution_rate"})

# Targets decisions (report-format.md, "Targets"): one sheet named CHITIEU, or the long CSV.
# Column (1) names a unit code, or a unit type for every unit of that type in scope.
TARGETS_SHEET = "CHITIEU"
TARGET_COLUMNS: dict[int, str] = {2: "indicator", 3: "comparator", 4: "value"}
# The indicators a decision may target, and the unit type each belongs to.
TARGET_INDICATORS: dict[str, str] = {
    "case_resolution_rate": "THADS",
    "money_resolution_rate": "THADS",
    "success_rate": "STP",
}
TARGET_INDICATOR_LABELS: dict[str, str] = {
    "case_resolution_rate": "tỷ lệ giải quyết xong về việc",
    "money_resolution_rate": "tỷ lệ giải quyết xong về tiền",
    "success_rate": "tỷ lệ hòa giải thành",
}
TARGET_COMPARATORS: tuple[str, ...] = ("trên", "từ")
"""trên X: strictly above X; từ X (trở lên): at least X (domain.md, "Targets")."""

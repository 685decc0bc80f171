"""The data-quality rule catalogue of quality-rules.md (version 1), as data.

One entry per rule id: its severity, the forms it applies to, where it is evaluated (a Great
Expectations suite on one row at a time, or a SQL model over several rows), the operands that
identify a violation, and the Vietnamese message template. Everything else (the GX suites, the
dbt models' severities, the Dagster asset checks, the messages) is derived from or tested
against this list, so a rule changes in one place. No Great Expectations import here: it is
slow, and the catalogue is needed by cheap code paths (CLI, alerts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warn"]
RuleKind = Literal["row", "sql"]

ENFORCEMENT_FORMS = ("THADS_VIEC", "THADS_TIEN")
DATASET_FORMS: dict[str, tuple[str, ...]] = {
    "enforcement": ENFORCEMENT_FORMS,
    "mediation": ("HOAGIAI",),
    "dissemination": ("PBGDPL",),
}
# The dbt models (schema `quality`) that carry one row per unit, year and form, with the
# operands and the prepared difference columns the GX suites check.
DATASET_MODELS: dict[str, str] = {
    "enforcement": "dq_enforcement_row_inputs",
    "mediation": "dq_mediation_row_inputs",
    "dissemination": "dq_dissemination_row_inputs",
}
# Columns that identify a row of every row-input model (GX unexpected_index_column_names).
ROW_KEY_COLUMNS = ("unit_code", "year", "form")


@dataclass(frozen=True)
class RowCheck:
    """One GX expectation of a row rule, described without importing GX.

    kind "zero": the column (a prepared difference) is 0; "max": the column is <= max_value;
    "pair_ge": column_a >= column_b. NULLs (an operand not reported) are skipped, never failed.
    """

    kind: Literal["zero", "max", "pair_ge"]
    column: str | None = None
    column_a: str | None = None
    column_b: str | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    forms: tuple[str, ...]
    kind: RuleKind
    description: str  # the rule as quality-rules.md states it (English)
    title_vi: str  # short Vietnamese title, for the CLI and the alert header
    # message templates (Vietnamese), by variant; placeholders are filled by
    # orchestration.quality.messages with figures already printed the Vietnamese way
    templates: Mapping[str, str]
    dataset: str | None = None  # row rules: key of DATASET_MODELS
    operands: tuple[str, ...] = ()  # row rules: the columns recorded as the values
    checks: tuple[RowCheck, ...] = ()  # row rules: the expectations
    model: str | None = None  # sql rules: the dbt model producing the violations

    @property
    def check_name(self) -> str:
        """Dagster asset-check names allow only [A-Za-z0-9_]: ENF-01 -> ENF_01."""
        return self.id.replace("-", "_")


def _zero(column: str) -> RowCheck:
    return RowCheck(kind="zero", column=column)


def _ge(a: str, b: str) -> RowCheck:
    return RowCheck(kind="pair_ge", column_a=a, column_b=b)


RULES: tuple[Rule, ...] = (
    Rule(
        "ENF-01", "error", ENFORCEMENT_FORMS, "row", "accepted = carried_over + new",
        "Tổng số thụ lý khác số năm trước chuyển sang cộng thụ lý mới",
        {"default": "tổng số thụ lý {accepted} ≠ năm trước chuyển sang {carried_over}"
                    " + thụ lý mới {new} (= {expected})"},
        dataset="enforcement", operands=("accepted", "carried_over", "new"),
        checks=(_zero("enf01_diff"),),
    ),
    Rule(
        "ENF-02", "error", ENFORCEMENT_FORMS, "row", "to_enforce = accepted − entrusted − revoked",
        "Số phải thi hành khác tổng số thụ lý trừ ủy thác, thu hồi",
        {"default": "tổng số phải thi hành {to_enforce} ≠ tổng số thụ lý {accepted}"
                    " − ủy thác {entrusted} − thu hồi, hủy quyết định {revoked} (= {expected})"},
        dataset="enforcement", operands=("to_enforce", "accepted", "entrusted", "revoked"),
        checks=(_zero("enf02_diff"),),
    ),
    Rule(
        "ENF-03", "error", ENFORCEMENT_FORMS, "row", "to_enforce = eligible + not_eligible",
        "Số phải thi hành khác có điều kiện cộng chưa có điều kiện",
        {"default": "tổng số phải thi hành {to_enforce} ≠ có điều kiện {eligible}"
                    " + chưa có điều kiện {not_eligible} (= {expected})"},
        dataset="enforcement", operands=("to_enforce", "eligible", "not_eligible"),
        checks=(_zero("enf03_diff"),),
    ),
    Rule(
        "ENF-04", "error", ENFORCEMENT_FORMS, "row", "resolved = completed + terminated",
        "Số giải quyết xong khác thi hành xong cộng đình chỉ",
        {"default": "giải quyết xong {resolved} ≠ thi hành xong {completed}"
                    " + đình chỉ {terminated} (= {expected})"},
        dataset="enforcement", operands=("resolved", "completed", "terminated"),
        checks=(_zero("enf04_diff"),),
    ),
    Rule(
        "ENF-05", "error", ENFORCEMENT_FORMS, "row", "resolved ≤ eligible",
        "Số giải quyết xong lớn hơn số có điều kiện",
        {"default": "giải quyết xong {resolved} > có điều kiện {eligible}"},
        dataset="enforcement", operands=("resolved", "eligible"),
        checks=(_ge("eligible", "resolved"),),
    ),
    Rule(
        "ENF-06", "error", ENFORCEMENT_FORMS, "row", "eligible ≤ to_enforce ≤ accepted",
        "Số có điều kiện, phải thi hành, tổng số thụ lý không theo thứ tự",
        {"eligible_above": "có điều kiện {eligible} > tổng số phải thi hành {to_enforce}",
         "to_enforce_above": "tổng số phải thi hành {to_enforce} > tổng số thụ lý {accepted}"},
        dataset="enforcement", operands=("eligible", "to_enforce", "accepted"),
        checks=(_ge("to_enforce", "eligible"), _ge("accepted", "to_enforce")),
    ),
    Rule(
        "ENF-07", "error", ENFORCEMENT_FORMS, "row", "carried_forward = to_enforce − resolved",
        "Số chuyển kỳ sau khác phải thi hành trừ giải quyết xong",
        {"default": "chuyển kỳ sau {carried_forward} ≠ tổng số phải thi hành {to_enforce}"
                    " − giải quyết xong {resolved} (= {expected})"},
        dataset="enforcement", operands=("carried_forward", "to_enforce", "resolved"),
        checks=(_zero("enf07_diff"),),
    ),
    Rule(
        "ENF-08", "warn", ENFORCEMENT_FORMS, "row",
        "the reported resolution_rate equals 100 × resolved / eligible rounded to the reported"
        " precision",
        "Tỷ lệ giải quyết xong báo cáo khác tỷ lệ tính lại",
        {"default": "tỷ lệ giải quyết xong báo cáo {reported_rate} ≠ tính lại {computed_rate}"
                    " (giải quyết xong {resolved} / có điều kiện {eligible})"},
        dataset="enforcement",
        operands=("reported_resolution_rate", "reported_resolution_rate_decimals", "resolved",
                  "eligible"),
        checks=(_zero("enf08_diff"),),
    ),
    Rule(
        "ENF-09", "warn", ENFORCEMENT_FORMS, "sql",
        "carried_over of year N = carried_forward of year N−1 for the same territory; across a"
        " merger, compare with the sum of the predecessors when all of them reported, otherwise"
        " skip",
        "Số năm trước chuyển sang khác số chuyển kỳ sau của năm trước",
        {"default": "năm trước chuyển sang {carried_over} ≠ chuyển kỳ sau năm {previous_year}"
                    " {expected}",
         "merger": "năm trước chuyển sang {carried_over} ≠ tổng chuyển kỳ sau năm"
                   " {previous_year} của các đơn vị trước sáp nhập {expected}"
                   " ({predecessors})"},
        model="dq_enf09_carry_over",
    ),
    Rule(
        "MED-01", "error", ("HOAGIAI",), "row",
        "cases_received = cases_successful + cases_unsuccessful + cases_pending",
        "Số vụ, việc tiếp nhận khác tổng thành, không thành, đang hòa giải",
        {"default": "tổng số vụ, việc tiếp nhận {cases_received} ≠ hòa giải thành"
                    " {cases_successful} + không thành {cases_unsuccessful} + đang hòa giải"
                    " {cases_pending} (= {expected})"},
        dataset="mediation",
        operands=("cases_received", "cases_successful", "cases_unsuccessful", "cases_pending"),
        checks=(_zero("med01_diff"),),
    ),
    Rule(
        "MED-02", "error", ("HOAGIAI",), "row", "cases_successful ≤ cases_received",
        "Số hòa giải thành lớn hơn số tiếp nhận",
        {"default": "hòa giải thành {cases_successful} > tổng số vụ, việc tiếp nhận"
                    " {cases_received}"},
        dataset="mediation", operands=("cases_successful", "cases_received"),
        checks=(_ge("cases_received", "cases_successful"),),
    ),
    Rule(
        "MED-03", "warn", ("HOAGIAI",), "row",
        "the reported success_rate equals 100 × cases_successful / cases_received rounded to the"
        " reported precision",
        "Tỷ lệ hòa giải thành báo cáo khác tỷ lệ tính lại",
        {"default": "tỷ lệ hòa giải thành báo cáo {reported_rate} ≠ tính lại {computed_rate}"
                    " (hòa giải thành {cases_successful} / tiếp nhận {cases_received})"},
        dataset="mediation",
        operands=("reported_success_rate", "reported_success_rate_decimals", "cases_successful",
                  "cases_received"),
        checks=(_zero("med03_diff"),),
    ),
    Rule(
        "DIS-01", "warn", ("PBGDPL",), "row", "sessions ≤ attendees ≤ 1.000 × sessions",
        "Số lượt người tham dự không hợp lý so với số cuộc",
        {"below": "số lượt người tham dự {attendees} < số cuộc phổ biến {sessions}",
         "above": "số lượt người tham dự {attendees} > 1.000 × số cuộc phổ biến {sessions}"
                  " (= {upper})"},
        dataset="dissemination", operands=("sessions", "attendees"),
        checks=(_ge("attendees", "sessions"), RowCheck(kind="max", column="dis01_upper_excess",
                                                        max_value=0)),
    ),
    Rule(
        "GEN-01", "error", ("PBGDPL", "HOAGIAI", "THADS_VIEC", "THADS_TIEN"), "sql",
        "every unit in scope in year N (by default: the cluster's members) has a report for N,"
        " per form",
        "Thiếu báo cáo",
        {"default": "chưa có báo cáo biểu {form} ({form_title})"},
        model="dq_gen01_completeness",
    ),
    Rule(
        "GEN-02", "error", ("PBGDPL", "HOAGIAI", "THADS_VIEC", "THADS_TIEN"), "sql",
        "where a report has sub-unit rows and a total row, the total equals the sum of the"
        " sub-units, per indicator",
        "Dòng tổng cộng khác tổng các đơn vị trực thuộc",
        {"default": "biểu {form}, chỉ tiêu “{indicator_label}”: dòng tổng cộng {reported_total}"
                    " ≠ tổng {subunit_count} đơn vị trực thuộc {subunit_sum}"},
        model="dq_gen02_total_vs_subunits",
    ),
    Rule(
        "GEN-03", "warn", ("PBGDPL", "HOAGIAI", "THADS_VIEC", "THADS_TIEN"), "sql",
        "outlier against the unit's own history: a main indicator (sessions, cases_received,"
        " accepted, eligible, resolved) more than twice, or less than half, the median of the"
        " same unit's other years, where the unit has at least 3 other years",
        "Số liệu bất thường so với các năm khác",
        {"high": "biểu {form}, {indicator_label} {value} gấp {ratio} lần trung vị"
                 " {other_years} năm khác ({median})",
         "low": "biểu {form}, {indicator_label} {value} chỉ bằng {ratio} lần trung vị"
                " {other_years} năm khác ({median})"},
        model="dq_gen03_outliers",
    ),
    Rule(
        "GEN-04", "warn", ("PBGDPL", "HOAGIAI", "THADS_VIEC", "THADS_TIEN"), "sql",
        "a report was superseded by a later submission whose figures differ",
        "Báo cáo được thay thế bằng báo cáo khác số liệu",
        {"default": "biểu {form}: báo cáo “{loser_file}” đã được thay thế bằng"
                    " “{winner_file}” với số liệu khác: {changes}"},
        model="dq_gen04_superseded",
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
ROW_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.kind == "row")
SQL_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.kind == "sql")
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warn": 1}


def rule(rule_id: str) -> Rule:
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown data-quality rule {rule_id!r}") from None


@dataclass(frozen=True)
class Violation:
    """One rule broken by one unit, year and form, whatever evaluated it (GX or SQL).

    `values` are the operands: they identify the violation (fingerprint) and fill the message.
    `context` only helps the message (names of files, predecessor units) and is not part of the
    identity, so renaming a unit in the register does not reopen its issues.
    """

    rule_id: str
    severity: Severity
    form: str | None
    unit_code: str
    province_code: str | None
    year: int
    values: Mapping[str, Any]
    unit_name: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

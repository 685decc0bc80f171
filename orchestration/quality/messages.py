"""Vietnamese messages of data-quality issues, for provincial officers.

A message names the unit (its display name in the register), the year and the figures, printed
the Vietnamese way with their unit ("3.569 việc", "1.826.513 nghìn đồng"), e.g.
"Cục THADS tỉnh Lào Cai, năm 2024: giải quyết xong 3.569 việc > có điều kiện 3.500 việc".
The templates live in the rule catalogue (expectations/catalogue.py says where). A row rule's
figures come from its checks: the operands, the value of the right side of a comparison
({expected}, by the catalogue's own arithmetic) and the recomputed rate; nothing here is
specific to one row rule. The cross-row rules have one function each below, for what their SQL
model puts in the violation's values and context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from expectations.arithmetic import evaluate, is_column
from expectations.rules import Check, Rule, Violation, rule
from ingest.forms import FORM_INDICATORS, TARGET_INDICATOR_LABELS
from ingest.vn_format import format_number, format_percent

FORM_TITLES: dict[str, str] = {
    "PBGDPL": "phổ biến, giáo dục pháp luật",
    "HOAGIAI": "hòa giải cơ sở",
    "THADS_VIEC": "thi hành án dân sự theo việc",
    "THADS_TIEN": "thi hành án dân sự theo tiền",
}

INDICATOR_LABELS: dict[str, str] = {
    "sessions": "số cuộc phổ biến",
    "attendees": "số lượt người tham dự",
    "documents": "số tài liệu phát hành",
    "legal_reporters": "số báo cáo viên pháp luật",
    "legal_propagandists": "số tuyên truyền viên pháp luật",
    "teams": "số tổ hòa giải",
    "mediators": "số hòa giải viên",
    "cases_received": "tổng số vụ, việc tiếp nhận",
    "cases_successful": "hòa giải thành",
    "cases_unsuccessful": "hòa giải không thành",
    "cases_pending": "đang hòa giải",
    "success_rate": "tỷ lệ hòa giải thành",
    "carried_over": "năm trước chuyển sang",
    "new": "thụ lý mới",
    "accepted": "tổng số thụ lý",
    "entrusted": "ủy thác",
    "revoked": "thu hồi, hủy quyết định",
    "to_enforce": "tổng số phải thi hành",
    "eligible": "có điều kiện",
    "not_eligible": "chưa có điều kiện",
    "completed": "thi hành xong",
    "terminated": "đình chỉ",
    "resolved": "giải quyết xong",
    "carried_forward": "chuyển kỳ sau",
    "resolution_rate": "tỷ lệ giải quyết xong",
}

_PBGDPL_UNITS = {"sessions": "cuộc", "attendees": "lượt người", "documents": "tài liệu",
                 "legal_reporters": "người", "legal_propagandists": "người"}
_HOAGIAI_UNITS = {"teams": "tổ", "mediators": "người"}


def measure_unit(form: str | None, indicator: str | None = None) -> str:
    """What a figure counts: 'việc', 'nghìn đồng' (THADS_TIEN is in thousand VND), 'cuộc', ..."""
    if form == "THADS_VIEC":
        return "việc"
    if form == "THADS_TIEN":
        return "nghìn đồng"
    if form == "HOAGIAI":
        return _HOAGIAI_UNITS.get(indicator or "", "vụ, việc")
    if form == "PBGDPL":
        return _PBGDPL_UNITS.get(indicator or "", "")
    return ""


def figure(value: Any) -> str:
    """A figure without its unit: whole numbers as "3.569", others with one decimal."""
    if value is None:
        return "(trống)"
    number = float(value)
    return format_number(value, 0 if number.is_integer() else 1)


def quantity(value: Any, form: str | None, indicator: str | None = None) -> str:
    """A figure with its unit: quantity(3569, "THADS_VIEC") -> "3.569 việc"."""
    unit = measure_unit(form, indicator)
    return f"{figure(value)} {unit}".rstrip()


def indicator_label(indicator: str | None) -> str:
    return INDICATOR_LABELS.get(indicator or "", indicator or "")


def _rate_fields(values: Mapping[str, Any], rate: Mapping[str, str]) -> dict[str, str]:
    """The reported rate as printed (at its own precision) and 100 × numerator / denominator
    at the same precision."""
    places = int(values.get(rate["decimals"]) or 0)
    num, den = values.get(rate["numerator"]), values.get(rate["denominator"])
    computed = 100.0 * float(num) / float(den) if num is not None and den else None
    reported = values.get(rate["reported"])
    return {
        "reported_rate": "(trống)" if reported is None else format_percent(reported, places),
        "computed_rate": "(không tính được)" if computed is None
        else format_percent(computed, places),
    }


def _fails(check: Check, values: Mapping[str, Any]) -> bool:
    """Whether a comparison is broken by these values (NULL operands: skipped, not broken)."""
    if check.kind == "rate":
        return True  # only Great Expectations re-decides a rate; one-check rules never ask
    left, right = evaluate(check.left, values), evaluate(check.right, values)
    if left is None or right is None:
        return False
    return bool(left > right) if check.kind == "at_most" else bool(left != right)


def _check_fields(spec: Rule, check: Check, v: Violation) -> dict[str, str]:
    """Every operand with its unit, plus {expected} (the right side's value, in the unit of the
    left side) or the rate fields."""
    fields = {name: quantity(v.values.get(name), v.form, name) for name in spec.operands}
    if check.kind == "rate":
        fields.update(_rate_fields(v.values, check.rate))
    else:
        unit_of = check.left if is_column(check.left) else None
        fields["expected"] = quantity(evaluate(check.right, v.values), v.form, unit_of)
    return fields


def _row_parts(spec: Rule, v: Violation) -> list[tuple[str, dict[str, str]]]:
    """A row rule's message: its check when it has one (Great Expectations found it broken);
    else each of its checks these values break (ENF-06 names the side out of order)."""
    checks = spec.checks if len(spec.checks) == 1 \
        else [c for c in spec.checks if _fails(c, v.values)]
    return [(check.message, _check_fields(spec, check, v)) for check in checks]


def _enf09(v: Violation) -> list[tuple[str, dict[str, str]]]:
    fields = {"carried_over": quantity(v.values.get("carried_over"), v.form, "carried_over")}
    fields["expected"] = quantity(v.values.get("expected"), v.form)
    fields["previous_year"] = str(v.context.get("previous_year", v.year - 1))
    names = {p.get("unit_code"): p.get("unit_name") for p in v.context.get("predecessors") or []}
    fields["predecessors"] = " + ".join(
        f"{names.get(p.get('unit_code')) or p.get('unit_code')}"
        f" {quantity(p.get('carried_forward'), v.form)}"
        for p in v.values.get("predecessors") or []
    )
    return [("merger" if v.context.get("merger") else "default", fields)]


def _gen01(v: Violation) -> list[tuple[str, dict[str, str]]]:
    return [("default", {"form": v.form or "", "form_title": FORM_TITLES.get(v.form or "", "")})]


def _gen02(v: Violation) -> list[tuple[str, dict[str, str]]]:
    indicator = v.values.get("indicator")
    return [("default", {
        "form": v.form or "",
        "indicator_label": indicator_label(indicator),
        "reported_total": quantity(v.values.get("reported_total"), v.form, indicator),
        "subunit_sum": quantity(v.values.get("subunit_sum"), v.form, indicator),
        "subunit_count": figure(v.context.get("subunit_count")),
    })]


def _gen03(v: Violation) -> list[tuple[str, dict[str, str]]]:
    indicator = v.values.get("indicator")
    value, median = v.values.get("value"), v.context.get("median")
    if value is None or not median:
        return []
    ratio = float(value) / float(median)
    return [("high" if ratio > 1 else "low", {
        "form": v.form or "",
        "indicator_label": indicator_label(indicator),
        "value": quantity(value, v.form, indicator),
        "median": quantity(median, v.form, indicator),
        "ratio": format_number(ratio, 2 if ratio < 0.1 else 1),
        "other_years": figure(v.context.get("other_years")),
    })]


MAX_LISTED_CHANGES = 3


def _gen04(v: Violation) -> list[tuple[str, dict[str, str]]]:
    order = FORM_INDICATORS.get(v.form or "", ())
    changes = sorted(v.values.get("changes") or [], key=lambda c: (
        order.index(c.get("indicator")) if c.get("indicator") in order else len(order),
        str(c.get("indicator"))))  # in the form's column order, as the officer reads it
    listed = []
    for change in changes[:MAX_LISTED_CHANGES]:
        indicator = change.get("indicator")
        if indicator in ("resolution_rate", "success_rate"):
            old, new = (("(trống)" if change.get(k) is None else format_percent(change[k]))
                        for k in ("old", "new"))
            listed.append(f"{indicator_label(indicator)} {old} → {new}")
        else:
            listed.append(f"{indicator_label(indicator)} {figure(change.get('old'))} → "
                          f"{quantity(change.get('new'), v.form, indicator)}")
    text = "; ".join(listed)
    if len(changes) > MAX_LISTED_CHANGES:
        text += f" và {len(changes) - MAX_LISTED_CHANGES} chỉ tiêu khác"
    return [("default", {
        "form": v.form or "",
        "loser_file": str(v.context.get("loser_file") or v.values.get("superseded_sha256", "")),
        "winner_file": str(v.context.get("winner_file") or v.values.get("winning_sha256", "")),
        "changes": text,
    })]


def decision_title(number: object, day: object) -> str:
    """"số 55/QĐ-TCTHADS ngày 20/06/2022", as a decision is cited; the date when there is one
    (an ISO date text from the violation's context, or a date)."""
    title = f"số {number}"
    if isinstance(day, str) and day:
        day = date.fromisoformat(day[:10])
    if isinstance(day, date):
        title += f" ngày {day:%d/%m/%Y}"
    return title


def _tgt01(v: Violation) -> list[tuple[str, dict[str, str]]]:
    indicator = str(v.values.get("indicator") or "")
    fields = {"indicator_label": TARGET_INDICATOR_LABELS.get(indicator, indicator),
              "year": str(v.year)}
    number = v.context.get("decision_number")
    if not number:
        return [("no_thads_decision", fields)]
    return [("default", {**fields,
                         "decision": decision_title(number, v.context.get("decision_date"))})]


# The cross-row rules' message fields, by rule id: (variant of the catalogue's templates, fields)
_FIELDS: dict[str, Callable[[Violation], list[tuple[str, dict[str, str]]]]] = {
    "ENF-09": _enf09,
    "GEN-01": _gen01,
    "GEN-02": _gen02,
    "GEN-03": _gen03,
    "GEN-04": _gen04,
    "TGT-01": _tgt01,
}


def render_message(violation: Violation) -> str:
    """The officer-facing Vietnamese message of one violation."""
    spec = rule(violation.rule_id)
    unit = violation.unit_name or violation.unit_code
    prefix = f"{unit}, năm {violation.year}: "
    try:
        if spec.kind == "row":
            parts = _row_parts(spec, violation)
        else:
            parts = [(spec.templates[variant], fields)
                     for variant, fields in _FIELDS[spec.id](violation)]
        body = "; ".join(template.format(**fields) for template, fields in parts)
    except (KeyError, TypeError, ValueError):
        body = ""
    if not body:  # never lose an issue over its wording: fall back to the rule and its operands
        shown = ", ".join(
            f"{indicator_label(key)} {figure(value) if isinstance(value, int | float) else value}"
            for key, value in violation.values.items() if not isinstance(value, list | dict)
        )
        body = f"{spec.title.lower()} ({shown})" if shown else spec.title.lower()
    return prefix + body

"""What a sample file is judged against: the unit register (the seed), the identities of
quality-rules.md, and which submission the warehouse keeps."""

from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ingest.forms import RATE_INDICATORS
from tests.ingest.sample.reader import FormData, Report, Value

SEEDS = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds"
ENF_FORMS = ("THADS_VIEC", "THADS_TIEN")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Register:
    """Folded unit names -> (unit code, valid from, valid to), read from the seed."""

    names: dict[str, list[tuple[str, str, str]]]

    def resolve(self, name: str, year: int) -> set[str]:
        """Unit codes whose register row valid on 31 December of `year` knows this name."""
        day = f"{year}-12-31"
        return {code for code, start, end in self.names.get(fold(name), [])
                if (start or "0000") <= day <= (end or "9999")}


def register() -> Register:
    names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with (SEEDS / "ref_units.csv").open(encoding="utf-8", newline="") as fh:
        for u in csv.DictReader(fh):
            for n in {fold(x) for x in (u["unit_name"], u["display_name"],
                                        *u["aliases"].split("|"))}:
                names[n].append((u["unit_code"], u["valid_from"], u["valid_to"]))
    return Register(dict(names))


def rounded(num: Decimal, den: Decimal, decimals: int) -> Decimal:
    return (100 * num / den).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def violations(form: str, values: dict[str, Value]) -> list[str]:
    """Rule ids of quality-rules.md that this row of figures breaks."""
    v = {k: x.number for k, x in values.items()}
    bad = []
    if any(x < 0 for x in v.values()):
        bad.append("negative")
    if form in ENF_FORMS:
        checks = {
            "ENF-01": v["accepted"] == v["carried_over"] + v["new"],
            "ENF-02": v["to_enforce"] == v["accepted"] - v["entrusted"] - v["revoked"],
            "ENF-03": v["to_enforce"] == v["eligible"] + v["not_eligible"],
            "ENF-04": v["resolved"] == v["completed"] + v["terminated"],
            "ENF-05": v["resolved"] <= v["eligible"],
            "ENF-06": v["eligible"] <= v["to_enforce"] <= v["accepted"],
            "ENF-07": v["carried_forward"] == v["to_enforce"] - v["resolved"],
        }
        if "resolution_rate" in values:
            checks["ENF-08"] = values["resolution_rate"].number == rounded(
                v["resolved"], v["eligible"], values["resolution_rate"].decimals)
        bad += [rule for rule, ok in checks.items() if not ok]
    elif form == "HOAGIAI":
        if v["cases_received"] != (v["cases_successful"] + v["cases_unsuccessful"]
                                   + v["cases_pending"]):
            bad.append("MED-01")
        if v["cases_successful"] > v["cases_received"]:
            bad.append("MED-02")
        if "success_rate" in values and values["success_rate"].number != rounded(
                v["cases_successful"], v["cases_received"], values["success_rate"].decimals):
            bad.append("MED-03")
    elif not v["sessions"] <= v["attendees"] <= 1000 * v["sessions"]:
        bad.append("DIS-01")
    return bad


def report_violations(report: Report) -> list[str]:
    out = []
    for form, data in report.forms.items():
        rows = list(data.subunits) + ([("TOTAL", data.total)] if data.total else [])
        for label, values in rows:
            out += [f"{form}/{label}: {rule}" for rule in violations(form, values)]
        if data.subunits:
            summed = data.unit_total() if data.total is None else None
            total = data.total or {k: Value(x, 0) for k, x in (summed or {}).items()}
            for indicator, value in total.items():
                if indicator in RATE_INDICATORS:
                    continue
                s = sum((vals[indicator].number for _, vals in data.subunits), Decimal(0))
                if s != value.number:
                    out.append(f"{form}/{indicator}: GEN-02")
            if data.total is None:  # no total row: the sum must itself be a coherent unit
                out += [f"{form}/SUM: {rule}" for rule in violations(form, total)
                        if rule not in ("ENF-08", "MED-03")]
    return out


def effective(reports: list[Report]) -> dict[tuple[str, int, str], FormData]:
    """Newest submission per unit, year and form (by report date), as the warehouse keeps."""
    best: dict[tuple[str, int, str], tuple[date, FormData]] = {}
    for r in reports:
        assert r.unit_code is not None
        for form, data in r.forms.items():
            key = (r.unit_code, r.year, form)
            when = r.report_date or date.min
            if key not in best or when > best[key][0]:
                best[key] = (when, data)
    return {k: v[1] for k, v in best.items()}

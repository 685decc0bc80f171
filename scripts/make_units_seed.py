"""Regenerate dbt_project/seeds/ref_units.csv from ref_provinces.csv.

Every province has one Department of Justice (STP) and one civil judgment enforcement agency
(THADS). The unit register is data, committed as a seed; this script only saves typing when the
province list changes. Run: .venv/bin/python scripts/make_units_seed.py
"""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
ONE_TIER_FROM = "2025-07-01"  # THADS became one tier: "Cục" renamed "Thi hành án dân sự tỉnh"
CUC_UNTIL = "2025-06-30"


def split_name(province_name: str) -> tuple[str, str]:
    """'Tỉnh Lào Cai' -> ('tỉnh', 'Lào Cai'); 'Thành phố Hà Nội' -> ('thành phố', 'Hà Nội')."""
    for kind in ("Thành phố", "Tỉnh"):
        if province_name.startswith(kind + " "):
            return kind.lower(), province_name[len(kind) + 1 :]
    raise ValueError(province_name)


def stp_aliases(kind: str, base: str) -> list[str]:
    return [
        f"Sở Tư pháp {base}", f"STP {kind} {base}", f"STP {base}", f"Sở TP {kind} {base}",
        f"Sở TP {base}", f"Sở Tư pháp {kind} {base}",
    ]


def thads_aliases(kind: str, base: str) -> list[str]:
    names = []
    for prefix in ("Cục Thi hành án dân sự", "Cục THADS", "Cục THA DS", "Cục THA dân sự",
                   "THADS", "THA DS", "Thi hành án dân sự", "Cục Thi hành án"):
        names += [f"{prefix} {kind} {base}", f"{prefix} {base}"]
    return names


def rows_for(province: dict[str, str]) -> list[dict[str, str]]:
    code = province["province_code"]
    kind, base = split_name(province["province_name"])
    valid_from, valid_to = province["valid_from"], province["valid_to"]
    out = [{
        "unit_code": f"STP-{code}", "unit_type": "STP", "province_code": code,
        "unit_name": f"Sở Tư pháp {kind} {base}", "display_name": f"Sở Tư pháp {kind} {base}",
        "valid_from": valid_from, "valid_to": valid_to,
        "aliases": "|".join(stp_aliases(kind, base)),
    }]
    thads = {"unit_code": f"THADS-{code}", "unit_type": "THADS", "province_code": code,
             "aliases": "|".join(thads_aliases(kind, base))}
    cuc = {"unit_name": f"Cục Thi hành án dân sự {kind} {base}",
           "display_name": f"Cục THADS {kind} {base}"}
    one_tier = {"unit_name": f"Thi hành án dân sự {kind} {base}",
                "display_name": f"THADS {kind} {base}"}
    if valid_from >= ONE_TIER_FROM:  # created by the 2025 merger: one-tier from birth
        out.append({**thads, **one_tier, "valid_from": valid_from, "valid_to": valid_to})
    elif valid_to:  # merged away before the reform took effect
        out.append({**thads, **cuc, "valid_from": valid_from, "valid_to": valid_to})
    else:  # unchanged province: the Cục is renamed on 1 July 2025
        out.append({**thads, **cuc, "valid_from": valid_from, "valid_to": CUC_UNTIL})
        out.append({**thads, **one_tier, "valid_from": ONE_TIER_FROM, "valid_to": ""})
    return out


def main() -> None:
    with open(SEEDS / "ref_provinces.csv", encoding="utf-8", newline="") as f:
        provinces = list(csv.DictReader(f))
    rows = [row for p in provinces for row in rows_for(p)]
    rows.sort(key=lambda r: (r["unit_code"].split("-")[1], r["unit_type"], r["valid_from"]))
    fields = ["unit_code", "unit_type", "province_code", "unit_name", "display_name",
              "valid_from", "valid_to", "aliases"]
    with open(SEEDS / "ref_units.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} units")


if __name__ == "__main__":
    main()

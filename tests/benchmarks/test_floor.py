"""The floor computes the warehouse's facts: the published 2022 totals, and every unit total
as the real parser reads it, with the newest report winning and sub-units summed where a report
has no total row. No timing assertions: targets are checked by `make bench`, never by tests.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks.floor import FACT_COLUMNS, FloorResult, report_files
from ingest.model import ParseResult
from ingest.parse import parse_file
from ingest.reference import load_registry
from ingest.sample import PUBLISHED_2022
from tests.benchmarks.facts import rows_by_key as _rows

FACT_OF_FORM = {"PBGDPL": ("fct_dissemination", ""), "HOAGIAI": ("fct_mediation", ""),
                "THADS_VIEC": ("fct_enforcement", "cases_"),
                "THADS_TIEN": ("fct_enforcement", "money_")}
REPORTED_RATE = {"HOAGIAI": "reported_success_rate",
                 "THADS_VIEC": "reported_case_resolution_rate",
                 "THADS_TIEN": "reported_money_resolution_rate"}


def _expected_facts(inbox: Path) -> dict[tuple[str, tuple[str, int]], dict[str, float]]:
    """Unit totals from the real parser, with report-format.md's rules applied here:
    the latest report date wins; the total row, else the sum of sub-unit rows."""
    registry = load_registry()
    winners: dict[tuple[str, int, str], object] = {}
    for path in report_files(inbox):
        result = parse_file(path, registry=registry, scope="cluster")
        assert result.rejection is None, result.rejection
        for sub in result.submissions:
            key = (sub.unit_code, sub.year, sub.form)
            best = winners.get(key)
            if best is None or sub.report_date > best.report_date:  # all dated here, or single
                winners[key] = sub
    expected: dict[tuple[str, tuple[str, int]], dict[str, float]] = defaultdict(dict)
    for (_, year, form), sub in winners.items():
        table, prefix = FACT_OF_FORM[form]
        by_indicator: dict[str, list] = defaultdict(list)
        for value in sub.values:
            by_indicator[value.indicator].append(value)
        for indicator, values in by_indicator.items():
            totals = [v.value for v in values if v.subunit is None]
            if indicator.endswith("_rate"):
                if totals:
                    expected[table, (sub.province_code, year)][REPORTED_RATE[form]] = totals[0]
                continue
            value = totals[0] if totals else sum(v.value for v in values)
            expected[table, (sub.province_code, year)][prefix + indicator] = value
    return expected


def test_floor_reproduces_the_published_2022_totals(floor: FloorResult) -> None:
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for (form, indicator) in PUBLISHED_2022:
        table, prefix = FACT_OF_FORM[form]
        for row in floor.facts[table]:
            if row["year"] == 2022:
                sums[form, indicator] += row[prefix + indicator]
    assert dict(sums) == {k: float(v) for k, v in PUBLISHED_2022.items()}
    assert sums["PBGDPL", "sessions"] == 27430
    mediation = [r for r in floor.facts["fct_mediation"] if r["year"] == 2022]
    received = sum(r["cases_received"] for r in mediation)
    successful = sum(r["cases_successful"] for r in mediation)
    assert round(100 * successful / received, 2) == 84.82


def test_floor_facts_equal_the_warehouse_semantics(inbox: Path, floor: FloorResult) -> None:
    # 35 reports and the 2 years' targets decisions (workbooks with no form: nothing to read)
    assert floor.files == len(report_files(inbox)) == 37
    assert floor.csv_files == 4 and floor.workbook_files == 33
    expected = _expected_facts(inbox)
    # 7 provinces x 2 years, each fact table
    for table in FACT_COLUMNS:
        assert len(floor.facts[table]) == 14
        assert list(floor.facts[table][0]) == list(FACT_COLUMNS[table])
    checked = 0
    for (table, key), columns in expected.items():
        row = _rows(floor.facts, table)[key]
        for column, value in columns.items():
            assert row[column] == pytest.approx(value), (table, key, column)
            checked += 1
    assert checked > 14 * 3 * 5
    # Lai Châu 2023: the official report (15/01/2024) replaces the preliminary one.
    official = parse_file(inbox / "2023_STP-12_chinh-thuc.xlsx", scope="cluster")
    preliminary = parse_file(inbox / "2023_STP-12_so-bo.xlsx", scope="cluster")

    def sessions(result: ParseResult) -> float:
        sub = next(s for s in result.submissions if s.form == "PBGDPL")
        return next(v.value for v in sub.values if v.subunit is None
                    and v.indicator == "sessions")

    assert sessions(official) != sessions(preliminary)
    assert _rows(floor.facts, "fct_dissemination")["12", 2023]["sessions"] == sessions(official)
    # Lào Cai's STP report has no total row: the unit total is the sum of its districts.
    lao_cai = parse_file(inbox / "2022_STP-10_Lao-Cai.xlsx", scope="cluster")
    sub = next(s for s in lao_cai.submissions if s.form == "PBGDPL")
    assert not sub.has_total_row
    assert _rows(floor.facts, "fct_dissemination")["10", 2022]["sessions"] == sum(
        v.value for v in sub.values if v.indicator == "sessions")
    # computed rates come from the counts, unrounded
    row = _rows(floor.facts, "fct_enforcement")["14", 2022]
    assert row["case_resolution_rate"] == pytest.approx(
        100 * row["cases_resolved"] / row["cases_eligible"])


"""The cluster sample judged against the contracts: report-format.md (layout), quality-rules.md
(identities) and domain.md (the published 2022 cluster totals).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from tests.ingest.sample.contracts import (
    ENF_FORMS,
    effective,
    register,
    report_violations,
    rounded,
)
from tests.ingest.sample.reader import BOM, csv_text
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")

PUBLISHED_2022 = {  # domain.md; attendees and accepted are the documented assumptions
    ("PBGDPL", "sessions"): 27430, ("PBGDPL", "attendees"): 1826513,
    ("PBGDPL", "documents"): 410870, ("HOAGIAI", "cases_received"): 3247,
    ("HOAGIAI", "cases_successful"): 2754, ("THADS_VIEC", "accepted"): 27045,
    ("THADS_VIEC", "eligible"): 24196, ("THADS_VIEC", "resolved"): 21698,
}
CLUSTER_2022 = {"02", "04", "10", "11", "12", "14", "20"}
MAIN = {"PBGDPL": ("sessions",), "HOAGIAI": ("cases_received",),
        "THADS_VIEC": ("accepted", "eligible", "resolved"),
        "THADS_TIEN": ("accepted", "eligible", "resolved")}


def test_cluster_2022_totals_equal_the_published_figures(cluster: Sample) -> None:
    loaded = [r for f, r in cluster.reports.items()
              if cluster.manifest.by_name(f).expected_rejection is None]
    figures = effective(loaded)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    provinces = set()
    for (code, year, form), data in figures.items():
        if year == 2022:
            provinces.add(code.split("-")[1])
            for indicator, value in data.unit_total().items():
                sums[form, indicator] += value
    assert provinces == CLUSTER_2022
    assert {k: int(sums[k]) for k in PUBLISHED_2022} == PUBLISHED_2022
    rate = rounded(sums["THADS_VIEC", "resolved"], sums["THADS_VIEC", "eligible"], 2)
    assert rate == Decimal("89.68")  # as printed in the article
    assert rounded(sums["HOAGIAI", "cases_successful"], sums["HOAGIAI", "cases_received"],
                   2) == Decimal("84.82")


def test_every_identity_holds_on_every_good_report(cluster: Sample) -> None:
    problems = {r.path.name: report_violations(r) for r in cluster.good()}
    assert {k: v for k, v in problems.items() if v} == {}
    # and the sub-unit breakdowns are realistic: 3-12 rows per report in the cluster
    counts = {len(d.subunits) for r in cluster.good() for d in r.forms.values() if d.subunits}
    assert min(counts) >= 3 and max(counts) <= 12


def test_carried_over_chains_and_trends_are_smooth(cluster: Sample) -> None:
    figures = effective(cluster.good())
    by_unit: dict[tuple[str, str], dict[int, dict[str, Decimal]]] = defaultdict(dict)
    for (code, year, form), data in figures.items():
        by_unit[code, form][year] = data.unit_total()
    chained = 0
    for (code, form), years in by_unit.items():
        for year, values in years.items():
            if form in ENF_FORMS and year - 1 in years:  # ENF-09
                assert values["carried_over"] == years[year - 1]["carried_forward"], (code, year)
                chained += 1
            for indicator in MAIN[form]:
                if year - 1 in years:  # year-to-year within ±15%
                    change = values[indicator] / years[year - 1][indicator]
                    assert Decimal("0.85") <= change <= Decimal("1.15"), (code, form, year)
                others = [v[indicator] for y, v in years.items() if y != year]
                if len(others) >= 3:  # GEN-03
                    median = statistics.median(others)
                    assert median / 2 <= values[indicator] <= 2 * median, (code, form, year)
    assert chained >= 2 * 7 * 6  # every cluster THADS unit, both forms, 2019-2025


def test_sizes_are_realistic_for_a_province(cluster: Sample) -> None:
    figures = effective(cluster.good())
    for (code, _year, form), data in figures.items():
        t = data.unit_total()
        k = 2.5 if code in ("STP-08", "THADS-08", "STP-15", "THADS-15") else 1  # merged in 2025
        if form == "PBGDPL":
            assert 2000 <= t["sessions"] <= 6500 * k, code
            assert 100_000 <= t["attendees"] <= 450_000 * k, code
        elif form == "HOAGIAI":
            assert 250 <= t["cases_received"] <= 800 * k, code
        elif form == "THADS_VIEC":
            assert 1500 <= t["eligible"] <= 6000 * k, code
        else:
            assert 10**8 <= t["accepted"] <= 1.5 * 10**9 * k, code  # thousand VND


def test_unit_names_as_written_are_in_the_register(cluster: Sample) -> None:
    units = register()
    names = set()
    for f in cluster.manifest.good:
        r = cluster.reports[f.file_name]
        if r.unit_name is None:
            continue
        names.add(r.unit_name)
        assert units.resolve(r.unit_name, r.year) == {f.unit_code}, (f.file_name, r.unit_name)
        if r.unit_code is not None:
            assert r.unit_code == f.unit_code
    assert any(n.isascii() for n in names), "some officers type without diacritics"
    assert len(names) > 14, "names vary between units and forms of writing"


def test_the_mix_of_files(cluster: Sample) -> None:
    good = cluster.good()
    xlsx = [r for r in good if r.kind == "xlsx"]
    csvs = [r for r in good if r.kind == "csv"]
    assert len(xlsx) > 4 * len(csvs) > 0
    # two units send CSV (THADS-10's export continues as THADS-15 after the merger)
    assert {r.unit_code for r in csvs} == {"STP-04", "THADS-10", "THADS-15"}
    assert any(len(r.forms) == 2 for r in xlsx) and any(len(r.forms) == 1 for r in xlsx)
    shapes = {(bool(d.subunits), d.total is not None) for r in good for d in r.forms.values()}
    assert shapes == {(True, True), (True, False), (False, True)}
    labels = {d.total_label for r in xlsx for d in r.forms.values() if d.total_label}
    assert {"Tổng cộng", "TỔNG SỐ", "Tổng"} <= labels
    assert any("Hướng dẫn" in r.sheet_names for r in xlsx)
    assert any(name.startswith("Biểu ") for r in xlsx for name in r.sheet_names)
    assert {r.date_was_text for r in xlsx if r.report_date} == {True, False}
    # one unit prints the resolution rate without decimals, the others with two
    decimals = {(r.unit_code, v.decimals) for r in good for form, d in r.forms.items()
                if form in ENF_FORMS and d.total for k, v in d.total.items()
                if k == "resolution_rate"}
    assert ("THADS-04", 0) in decimals and any(d == 2 for _, d in decimals)


def test_csv_encodings(cluster: Sample) -> None:
    encodings = {}
    for f in cluster.manifest.good:
        if f.kind != "csv":
            continue
        path = cluster.manifest.out_dir / f.file_name
        raw = path.read_bytes()
        text, encoding = csv_text(path)
        encodings[f.unit_code] = (encoding, text.splitlines()[0])
        header = text.splitlines()[0].replace(";", ",")
        assert header == "unit_code,year,form,subunit,indicator,value"
        if encoding == "cp1258":
            # Windows-1258 stores tone marks apart: "ò" is "o" + 0xCC; it round-trips to NFC.
            assert re.search(rb"[a-z\xe2\xea\xf4\xe3\xf5\xfd][\xcc\xec\xd2\xde\xf2]", raw)
            assert re.search(r";\d{1,3}(\.\d{3})+\r?$", text, re.M)
            assert re.search(r";\d+,\d\d\r?$", text, re.M)  # a rate: "84,82"
        if encoding == "utf-8-sig":
            assert raw.startswith(BOM) and re.search(r",\d+\.\d\d$", text, re.M)  # "89.68"
    assert encodings["STP-04"][0] == "cp1258" and ";" in encodings["STP-04"][1]
    assert encodings["THADS-10"][0] == "utf-8-sig" and "," in encodings["THADS-10"][1]


def test_preliminary_report_then_official_correction(cluster: Sample) -> None:
    pre = cluster.reports["2023_STP-12_so-bo.xlsx"]
    official = cluster.reports["2023_STP-12_chinh-thuc.xlsx"]
    assert pre.date_was_text and official.date_was_text
    assert (pre.report_date, official.report_date) == (date(2023, 11, 30), date(2024, 1, 15))
    assert pre.unit_code == official.unit_code == "STP-12" and pre.year == official.year == 2023
    for form in ("PBGDPL", "HOAGIAI"):
        early, final = pre.forms[form].unit_total(), official.forms[form].unit_total()
        main = MAIN[form][0]
        assert 0.8 * float(final[main]) < early[main] < final[main]
    figures = effective(cluster.good())
    assert figures["STP-12", 2023, "PBGDPL"] is official.forms["PBGDPL"]
    assert not [r for r in cluster.good() if r.unit_code == "STP-12" and r.year == 2022
                and r.report_date and r.report_date > date(2022, 12, 31)]


def test_2025_reports_come_from_the_successors(cluster: Sample) -> None:
    units_2025 = {r.unit_code for r in cluster.good() if r.year == 2025}
    expected = {f"{t}-{p}" for t in ("STP", "THADS") for p in
                ("04", "08", "11", "12", "14", "15", "20")}
    assert units_2025 == expected
    assert {r.unit_code for r in cluster.good() if r.year == 2024} == {
        f"{t}-{p}" for t in ("STP", "THADS") for p in CLUSTER_2022}
    years = {r.year for r in cluster.good()}
    assert years == set(range(2018, 2026))

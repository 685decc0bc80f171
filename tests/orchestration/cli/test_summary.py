"""What `tuphap load` prints (orchestration/cli/summary.py): one screen in the national scope,
the full unit-by-year table a flag away, today's table in the cluster scope, counts in the
right number, the years actually loaded, and every skipped inbox entry with its reason."""

from __future__ import annotations

import pytest

from ingest.reference import load_registry
from orchestration.cli.summary import (
    MAX_LISTED,
    LoadSummary,
    counted,
    expected_forms,
    format_summary,
    year_ranges,
)

SCREEN_LINES = 50
NATIONAL_YEARS = range(2016, 2026)


def _national(**fields: object) -> LoadSummary:
    """A national warehouse as the sample fills it, from the real unit register: every unit
    expected each year sent both forms, except THADS-14 (one form in 2019) and STP-01 (nothing
    in 2025)."""
    expected = expected_forms(load_registry(), "national", NATIONAL_YEARS)
    coverage = [(unit, year, forms) for year, units in expected.items()
                for unit, forms in units]
    coverage = [(unit, year, 1 if (unit, year) == ("THADS-14", 2019) else forms)
                for unit, year, forms in coverage if (unit, year) != ("STP-01", 2025)]
    summary = LoadSummary(warehouse="/w/tuphap.duckdb", scope="national",
                          years=("2015", "2027"), coverage=coverage, expected=expected,
                          open_issues={"error": 4, "warn": 1}, new_issues={"error": 1})
    for name, value in fields.items():
        setattr(summary, name, value)
    return summary


def _rejected(n: int) -> list[dict]:
    return [{"file": f"LOI_{i}.xlsx", "code": "not_a_number", "reason": "giá trị không phải là số"}
            for i in range(n)]


def _skipped(n: int) -> list[dict]:
    return [{"file": f"link_{i}.xlsx", "kind": "symlink",
             "reason": "symbolic link, not followed (copy the file itself into the inbox)"}
            for i in range(n)]


@pytest.mark.parametrize(("n", "text"), [(0, "0 warnings"), (1, "1 warning"),
                                         (4, "4 warnings"), (1604, "1.604 warnings")])
def test_counts_take_the_right_number(n: int, text: str) -> None:
    assert counted(n, "warning") == text


def test_years_are_shown_as_runs() -> None:
    assert year_ranges(range(2016, 2026)) == "2016-2025"
    assert year_ranges([2019, 2016, 2018]) == "2016, 2018-2019"
    assert year_ranges([2022]) == "2022"


def test_the_national_summary_fits_one_screen() -> None:
    summary = _national(new_rejected=_rejected(20), skipped=_skipped(12))
    text = format_summary(summary)
    lines = text.splitlines()
    assert len(lines) <= SCREEN_LINES, text
    assert lines[0] == "tuphap load: scope national, years 2016-2025"
    assert "Open quality issues: 4 errors, 1 warning (new this load: 1 error, 0 warnings)" in text
    # One line per year, with the provinces and units reporting of those expected.
    assert "  2016       63/63    126/126      252                    0" in lines
    assert "  2019       63/63    126/126      251                    1" in lines
    assert "  2025       34/34      67/68      134                    1" in lines
    assert "Units with forms missing: 2 (rule GEN-01 in `tuphap issues`)" in lines
    assert "  - 2019 THADS-14: 1 of 2 forms" in lines
    assert "  - 2025 STP-01: no report" in lines
    assert "  the unit-by-year table: tuphap load --full-summary" in lines
    # Long lists are cut, saying how many more and where they are.
    assert sum(line.startswith("  - LOI_") for line in lines) == MAX_LISTED
    assert "  … and 12 more (table rejected_reports)" in lines
    assert "Skipped inbox entries: 12 (not read; see table raw.skipped_inbox_entries):" in lines
    assert "  - link_0.xlsx: symbolic link, not followed (copy the file itself into the inbox)" \
        in lines
    assert "  … and 4 more (table raw.skipped_inbox_entries)" in lines
    assert "THADS-63" not in text  # no unit-by-year table


def test_the_full_national_summary_has_the_unit_by_year_table() -> None:
    text = format_summary(_national(new_rejected=_rejected(20), skipped=_skipped(12)),
                          full=True)
    lines = text.splitlines()
    assert "  unit       2016  2017  2018  2019  2020  2021  2022  2023  2024  2025" in lines
    assert sum(line.startswith(("  STP-", "  THADS-")) for line in lines) == 126
    assert sum(line.startswith("  - LOI_") for line in lines) == 20
    assert sum(line.startswith("  - link_") for line in lines) == 12
    assert "more (" not in text


def test_the_cluster_summary_keeps_its_table_and_lists_everything() -> None:
    expected = expected_forms(load_registry(), "cluster", [2022, 2023])
    coverage = [(unit, year, 2) for year, units in expected.items() for unit, _ in units]
    summary = LoadSummary(warehouse="/w/tuphap.duckdb", scope="cluster", years=("2022", "2022"),
                          coverage=coverage, expected=expected, new_rejected=_rejected(10),
                          skipped=_skipped(1))
    lines = format_summary(summary).splitlines()
    assert lines[0] == "tuphap load: scope cluster, years 2022"  # the years this load covered
    assert "Reports in the warehouse (forms received per unit and year):" in lines
    assert "  unit       2022  2023" in lines
    assert "  STP-10        2     2" in lines
    assert sum(line.startswith("  - LOI_") for line in lines) == 10
    assert "Skipped inbox entries: 1 (not read; see table raw.skipped_inbox_entries):" in lines
    assert not [line for line in lines if "full-summary" in line or "year   provinces" in line]


def test_an_empty_warehouse_says_no_year_was_loaded() -> None:
    text = format_summary(LoadSummary(warehouse="/w", scope="national", years=("2015", "2027")))
    assert text.splitlines()[0] == "tuphap load: scope national, no reporting year loaded yet"
    assert "  this load: 0 files loaded (0 forms), 0 files rejected" in text
    assert "  nothing new in the inbox: the warehouse content is unchanged" in text
    assert "  (no reports loaded)" in text


def test_names_from_outside_stay_on_their_line() -> None:
    summary = _national(skipped=[{"file": "x\nTổng cộng: 0 errors.xlsx", "kind": "symlink",
                                  "reason": "symbolic link, not followed"}])
    assert "  - x\\nTổng cộng: 0 errors.xlsx: symbolic link, not followed" \
        in format_summary(summary).splitlines()


def test_targets_decisions_are_listed_with_the_files_loaded() -> None:
    decisions = [{"file": "2022_chi-tieu_THADS.xlsx", "year": 2022,
                  "decision_number": "1114/QĐ-TCTHADS", "decision_date": "2021-10-08",
                  "unit_types": ["THADS"]},
                 {"file": "qd.csv", "year": 2023, "decision_number": "7/QĐ\nx",
                  "decision_date": None, "unit_types": []}]
    text = format_summary(_national(new_decisions=decisions,
                                    new_loaded=[{"file": "a.xlsx", "unit_code": "STP-10",
                                                 "year": 2022, "form": "PBGDPL"}]))
    assert "this load: 3 files loaded (1 form, 2 targets decisions)" in text
    assert "  - 2022_chi-tieu_THADS.xlsx: 2022, 1114/QĐ-TCTHADS of 08/10/2021, THADS" in text
    assert "  - qd.csv: 2023, 7/QĐ\\nx" in text  # a decision number cannot fake a line


def test_the_reports_are_said_to_come_after_the_load_where_and_when() -> None:
    """The load returns at its publish; its reports are made in the background (cli/reports.py):
    the summary says where they will be, about when, and whose end means they are there."""
    from pathlib import Path

    from orchestration.cli.reports import BackgroundReports

    reports = BackgroundReports(years=(2016, 2020, 2021), folder=Path("/w/reports"),
                                run_id="r-1", pid=42, log=Path("/w/logs/reports.log"))
    lines = format_summary(LoadSummary(warehouse="/w", scope="cluster", years=("2016", "2021"),
                                       yearly_reports=reports)).splitlines()
    at = lines.index("  yearly reports of this load (2016, 2020-2021; HTML, PDF and workbook): "
                     "being written to /w/reports")
    assert lines[at + 1] == ("    in the background (pid 42), in about 9 s: each year's files "
                             "appear whole when done;")
    assert lines[at + 2] == ("    all are there when Dagster run r-1 has ended "
                             "(log: /w/logs/reports.log)")
    # A load that brought no year's figures starts none and says nothing of them.
    assert "yearly reports" not in format_summary(
        LoadSummary(warehouse="/w", scope="cluster", years=("2016", "2021")))


def test_a_load_without_reports_after_it_says_so() -> None:
    """TUPHAP_YEARLY_REPORTS=off: no background reports, and the summary says how to get one."""
    text = format_summary(LoadSummary(warehouse="/w", scope="cluster", years=("2016", "2021"),
                                      yearly_reports_off=True))
    assert ("  yearly reports: not made after loads (TUPHAP_YEARLY_REPORTS=off); "
            "`tuphap report --year N` writes one") in text.splitlines()
    assert "in the background" not in text

"""Year-on-year changes on the same land, and what is said when the base is only part of it."""

from dataclasses import replace

from orchestration.report.compare import base_of, compare
from orchestration.report.model import FactRow, Province, ReportData, YearTotals
from tests.orchestration.report.builders import counts, report_data


def test_same_members_compare_the_totals_directly() -> None:
    comparison = compare(report_data())
    basis = comparison.bases["dissemination"]
    assert comparison.available and comparison.notes == () and not basis.partial
    assert basis.current["sessions"] == 600 and basis.previous["sessions"] == 1200


def test_no_previous_year_says_so() -> None:
    data = report_data()
    comparison = compare(replace(data, history=data.history[1:]))
    assert not comparison.available
    assert comparison.notes == ("Kho chưa có số liệu năm 2021 để so sánh.",)


def _merged(predecessor_reported: bool) -> ReportData:
    """2025: Hà Giang (02) and the old Tuyên Quang (08) merged into Tuyên Quang (08), a member;
    Cao Bằng (04) unchanged. In 2024 the cluster had Hà Giang and Cao Bằng; the old Tuyên
    Quang's figures are in the warehouse only when `predecessor_reported`."""
    data = report_data(2025)
    members = ("04", "08")
    now = {d: (FactRow("04", "X-04", counts(d, sessions=210)),
               FactRow("08", "X-08", counts(d, sessions=330))) for d in data.facts}
    before = {d: (FactRow("02", "X-02", counts(d, sessions=100)),
                  FactRow("04", "X-04", counts(d, sessions=200)),
                  *((FactRow("08", "X-08", counts(d, sessions=200)),)
                    if predecessor_reported else ())) for d in data.facts}
    totals = replace(data.totals, member_codes=members, reporting_codes=members,
                     counts={**data.totals.counts, "sessions": 540})
    previous = YearTotals(2024, ("02", "04"), ("02", "04"), data.history[0].counts)
    provinces = {"04": Province("04", "Tỉnh Cao Bằng"), "08": Province("08", "Tỉnh Tuyên Quang")}
    earlier = {**provinces, "02": Province("02", "Tỉnh Hà Giang")}
    return replace(
        data, totals=totals, history=(previous, totals), facts=now, previous_facts=before,
        provinces=provinces, previous_provinces=earlier,
        atoms={2024: {c: frozenset({c}) for c in ("02", "04", "08")},
               2025: {"04": frozenset({"04"}), "08": frozenset({"02", "08"})}},
        territories={2024: frozenset({"02", "04"}), 2025: frozenset({"02", "04", "08"})})


def test_across_a_merger_a_partial_base_is_left_out_named_and_counted() -> None:
    comparison = compare(_merged(predecessor_reported=False))
    basis = comparison.bases["dissemination"]
    assert basis.partial and basis.words == "1/2 tỉnh có số liệu cả hai năm"
    assert basis.current["sessions"] == 210 and basis.previous["sessions"] == 200
    assert not comparison.same_land and "hợp nhất tỉnh" in comparison.notes[0]
    assert comparison.notes[-1] == ("Không so sánh được Tuyên Quang (năm 2024 chỉ có số liệu "
                                    "của Hà Giang).")


def test_across_a_merger_a_complete_base_adds_up_the_predecessors() -> None:
    data = _merged(predecessor_reported=True)
    comparison = compare(data)
    basis = comparison.bases["dissemination"]
    assert not basis.partial
    assert basis.current["sessions"] == 540 and basis.previous["sessions"] == 500
    assert basis.previous_codes == ("02", "04", "08")
    assert "Tuyên Quang năm 2024 gồm địa bàn Hà Giang và Tuyên Quang cũ." in comparison.notes
    assert base_of(data, "dissemination", "08").counts["sessions"] == 300  # type: ignore[index]

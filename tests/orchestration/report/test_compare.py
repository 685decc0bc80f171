"""Year-on-year changes on the same territory, and the notes when it is not the same."""

from dataclasses import replace

from orchestration.report.compare import compare
from orchestration.report.model import BoundaryRow, Province, ReportData, YearTotals
from tests.orchestration.report.builders import report_data


def test_same_members_compare_the_totals_directly() -> None:
    data = report_data()
    comparison = compare(data)
    assert comparison.available and comparison.notes == ()
    assert comparison.current["sessions"] == 600 and comparison.previous["sessions"] == 1200


def test_no_previous_year_says_so() -> None:
    data = report_data()
    comparison = compare(replace(data, history=data.history[1:]))
    assert not comparison.available
    assert comparison.notes == ("Kho chưa có số liệu năm 2021 để so sánh.",)


def _merged(complete_before: bool) -> ReportData:
    """2025: Hà Giang (02) merged into Tuyên Quang (08), which is now a member, and Cao Bằng
    (04) unchanged. The year before, the current Tuyên Quang holds 02 (and 08 when the
    warehouse had the old Tuyên Quang's reports)."""
    data = report_data(2025)
    members = ("04", "08")
    totals = replace(data.totals, member_codes=members, reporting_codes=members)
    previous = YearTotals(2024, ("02", "04"), ("02", "04"), data.history[0].counts)

    def row(code: str, name: str, year: int, sessions: int, sources: tuple[str, ...],
            complete: bool) -> BoundaryRow:
        return BoundaryRow(code, name, year, {"sessions": sessions}, sources, complete)

    before_08 = (row("08", "Tỉnh Tuyên Quang", 2024, 300, ("02", "08"), True)
                 if complete_before else
                 row("08", "Tỉnh Tuyên Quang", 2024, 100, ("02",), False))
    boundaries: dict[int, dict[str, tuple[BoundaryRow, ...]]] = {
        2024: {d: (row("04", "Tỉnh Cao Bằng", 2024, 200, ("04",), True), before_08)
               for d in ("dissemination", "mediation", "enforcement")},
        2025: {d: (row("04", "Tỉnh Cao Bằng", 2025, 210, ("04",), True),
                   row("08", "Tỉnh Tuyên Quang", 2025, 330, ("08",), True))
               for d in ("dissemination", "mediation", "enforcement")},
    }
    provinces = {"04": Province("04", "Tỉnh Cao Bằng"), "08": Province("08", "Tỉnh Tuyên Quang")}
    before = {**provinces, "02": Province("02", "Tỉnh Hà Giang")}
    return replace(data, totals=totals, history=(previous, totals), boundaries=boundaries,
                   provinces=provinces, previous_provinces=before)


def test_across_a_merger_an_incomplete_territory_is_left_out_and_named() -> None:
    comparison = compare(_merged(complete_before=False))
    assert comparison.current["sessions"] == 210 and comparison.previous["sessions"] == 200
    assert "địa giới hành chính hiện nay" in comparison.notes[0]
    assert comparison.notes[-1] == ("Mức thay đổi không tính Tuyên Quang (năm 2024 chỉ có số "
                                    "liệu của Hà Giang).")


def test_across_a_merger_a_complete_territory_is_compared_and_explained() -> None:
    comparison = compare(_merged(complete_before=True))
    assert comparison.current["sessions"] == 540 and comparison.previous["sessions"] == 500
    assert "Tỉnh Tuyên Quang năm 2024 gồm địa bàn Hà Giang và Tuyên Quang cũ." in (
        comparison.notes)

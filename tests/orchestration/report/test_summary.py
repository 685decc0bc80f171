"""The summary sentences: figures the Vietnamese way, changes in words on the same land, †
marks on figures and changes that rest on open errors of year N or of the base year."""

from dataclasses import replace

from orchestration.report.compare import compare
from orchestration.report.flags import YearMarks
from orchestration.report.model import ReportData
from orchestration.report.summary import Summary, build_summary
from tests.orchestration.report.builders import issue, report_data, target
from tests.orchestration.report.test_compare import _merged


def _summary(data: ReportData) -> Summary:
    return build_summary(data, compare(data),
                         YearMarks.from_issues([*data.issues, *data.past_errors]))


def test_sentences_carry_the_figures_with_their_change_in_words() -> None:
    data = report_data()
    counts = dict(data.totals.counts)
    counts.update(cases_received=3247, cases_successful=2754, sessions=27430)
    summary = _summary(replace(data, totals=replace(data.totals, counts=counts)))
    text = " ".join(summary.paragraphs)
    assert "Năm 2022, các tỉnh trong Khu vực đã tổ chức 27.430 cuộc phổ biến" in text
    assert "hòa giải thành 2.754/3.247 vụ, việc" in text
    assert "đạt tỷ lệ 84,82%" in text
    assert "trực tiếp (tăng 2.185,8% so với năm 2021)" in text  # 1.200 -> 27.430, in words
    assert "1.800,0 tỷ đồng" in text  # money accepted
    assert not any(symbol in text for symbol in ("▲", "▼", "điểm %"))
    assert summary.notes[0].startswith("Mức tăng, giảm so với năm 2021 được tính trên cùng")


def test_a_figure_touched_by_an_open_error_is_marked_and_explained() -> None:
    summary = _summary(report_data(issues=(issue(),)))
    text = " ".join(summary.paragraphs)
    assert "có điều kiện thi hành 2.700† việc" in text
    assert "giải quyết xong 2.460† việc" in text
    assert "tổng số thụ lý 3.000 việc" in text
    assert any("†" in n for n in summary.notes)


def test_a_change_resting_on_an_error_of_the_base_year_is_marked() -> None:
    base_error = issue(year=2021, message="Cục THADS tỉnh Cao Bằng, năm 2021: ...")
    text = " ".join(_summary(report_data(issues=(base_error,))).paragraphs)
    # The 2022 figure itself is sound; its change rests on 2021's error.
    assert "đã giải quyết xong 2.460 việc (không đổi†)" in text
    assert "đạt tỷ lệ 91,11% (không đổi†)" in text
    assert "tổng số thụ lý 3.000 việc (không đổi so với năm 2021)" in text  # not touched


def test_after_a_merger_the_changes_stand_beside_figures_of_the_same_basis() -> None:
    text = " ".join(_summary(_merged(predecessor_reported=False)).paragraphs)
    assert "đã tổ chức 540 cuộc phổ biến, giáo dục pháp luật trực tiếp với" in text  # no change
    assert ("So sánh trên 1/2 tỉnh có số liệu cả hai năm: 210 cuộc, tăng 5,0% so với năm "
            "2024") in text


def test_targets_reached_are_counted_or_their_absence_said() -> None:
    data = report_data()
    assert "Kho dữ liệu chưa lưu chỉ tiêu được giao" in _summary(data).paragraphs[-1]
    assert "chưa có quyết định giao chỉ tiêu năm 2022" in _summary(
        replace(data, targets=())).paragraphs[-1]
    goals = (target("02", actual=90.0), target("04", actual=84.0), target("10", actual=None))
    last = _summary(replace(data, targets=goals)).paragraphs[-1]
    assert last == ("Về chỉ tiêu được giao: 1/3 đơn vị thi hành án đạt và vượt chỉ tiêu về việc "
                    "(trên 85,00%), 1 đơn vị chưa có báo cáo.")


def test_a_domain_without_figures_says_so() -> None:
    data = report_data()
    counts = {**data.totals.counts, "sessions": None}
    summary = _summary(replace(data, totals=replace(data.totals, counts=counts)))
    assert summary.paragraphs[0] == "Năm 2022, chưa có số liệu phổ biến, giáo dục pháp luật."

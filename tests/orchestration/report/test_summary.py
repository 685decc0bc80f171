"""The summary sentences: templates filled with formatted, compared and marked figures."""

from dataclasses import replace

from orchestration.report.compare import compare
from orchestration.report.flags import ErrorMarks
from orchestration.report.model import ReportData
from orchestration.report.summary import Summary, build_summary
from tests.orchestration.report.builders import issue, report_data


def _summary(data: ReportData, marks: ErrorMarks | None = None) -> Summary:
    return build_summary(data.year, data.scope, data.totals.counts, compare(data),
                         marks or ErrorMarks({}))


def test_sentences_carry_the_figures_the_vietnamese_way_with_their_change() -> None:
    data = report_data()
    counts = dict(data.totals.counts)
    counts.update(cases_received=3247, cases_successful=2754, sessions=27430)
    summary = _summary(replace(data, totals=replace(data.totals, counts=counts)))
    text = " ".join(summary.paragraphs)
    assert "Năm 2022, các tỉnh trong Khu vực đã tổ chức 27.430 cuộc phổ biến" in text
    assert "hòa giải thành 2.754/3.247 vụ, việc" in text
    assert "đạt tỷ lệ 84,82%" in text
    assert "cuộc phổ biến, giáo dục pháp luật trực tiếp (▲ 2.185,8%)" in text  # 1.200 -> 27.430
    assert "1.800,0 tỷ đồng" in text  # money accepted
    assert summary.notes[0].startswith("Trong ngoặc: mức tăng (▲) hoặc giảm (▼) so với năm 2021")


def test_a_figure_touched_by_an_open_error_is_marked_and_explained() -> None:
    data = report_data()
    summary = _summary(data, ErrorMarks.from_issues([issue()]))
    text = " ".join(summary.paragraphs)
    assert "có điều kiện thi hành 2.700† việc" in text
    assert "giải quyết xong 2.460† việc" in text
    assert "tổng số thụ lý 3.000 việc" in text
    assert any("†" in n for n in summary.notes)


def test_a_domain_without_figures_says_so() -> None:
    data = report_data()
    counts = {**data.totals.counts, "sessions": None}
    summary = _summary(replace(data, totals=replace(data.totals, counts=counts)))
    assert summary.paragraphs[0] == "Năm 2022, chưa có số liệu phổ biến, giáo dục pháp luật."

"""Which figures an open ERROR issue touches."""

from orchestration.report.flags import WHOLE_ROW, ErrorMarks, YearMarks, touched_columns
from tests.orchestration.report.builders import issue


def test_row_rule_operands_map_to_the_forms_columns_and_rates() -> None:
    assert touched_columns(issue()) == {"cases_eligible", "cases_resolved",
                                        "case_resolution_rate"}
    money = issue(form="THADS_TIEN", values={"eligible": 1, "resolved": 2})
    assert touched_columns(money) == {"money_eligible", "money_resolved",
                                      "money_resolution_rate"}
    med = issue("MED-02", form="HOAGIAI", values={"cases_successful": 5, "cases_received": 4})
    assert touched_columns(med) == {"cases_successful", "cases_received", "success_rate"}


def test_gen02_names_its_indicator() -> None:
    gen02 = issue("GEN-02", values={"indicator": "carried_forward", "reported_total": 887,
                                    "subunit_sum": 875})
    assert touched_columns(gen02) == {"cases_carried_forward"}


def test_an_issue_without_figures_touches_the_row() -> None:
    assert touched_columns(issue("GEN-01", values={})) == {WHOLE_ROW}


def test_only_unresolved_errors_mark_and_an_explanation_is_not_a_fix() -> None:
    marks = ErrorMarks.from_issues([
        issue(severity="warn"), issue(status="acknowledged"), issue(province="10"),
        issue(province="02", status="explained")])
    assert marks.row("enforcement_cases", "02")
    assert marks.row("enforcement_cases", "10")
    assert not marks.row("enforcement_cases", "04")
    assert marks.total("enforcement_cases", "cases_resolved")
    assert not marks.total("enforcement_money", "money_resolved")


def test_marks_are_kept_per_year() -> None:
    marks = YearMarks.from_issues([issue(year=2021), issue(province="10", year=2022)])
    assert marks.of(2021).any_of(["04"], "case_resolution_rate")
    assert not marks.of(2022).any_of(["04"], "case_resolution_rate")
    assert marks.of(2020).cells == {}
    assert [i.year for i in marks.errors()] == [2022, 2021]

"""Per-province tables: ranking, total row, recomputed and reported rates, the change from N-1,
targets, error marks (an error keeps a province out of the ranking)."""

from dataclasses import replace
from decimal import Decimal

from orchestration.report.compare import compare
from orchestration.report.flags import YearMarks
from orchestration.report.model import Issue, ReportData, ReportedRate
from orchestration.report.tables import Table, build_tables, differs, rank
from tests.orchestration.report.builders import issue, report_data, target


def build_table(key: str, data: ReportData, issues: tuple[Issue, ...] = ()) -> Table:
    tables = build_tables(data, YearMarks.from_issues(issues), compare(data))
    return next(t for t in tables if t.key == key)


def test_rank_shares_ties_and_puts_missing_last() -> None:
    ranked = rank({"10": Decimal(90), "02": Decimal(95), "04": Decimal(90), "11": None,
                   "12": 80})
    assert ranked == [(1, "02"), (2, "04"), (2, "10"), (4, "12"), (None, "11")]


def test_a_printed_rate_differs_only_at_the_units_precision() -> None:
    assert not differs(Decimal("84.816"), 84.82, 2)
    assert not differs(Decimal("84.6"), 85.0, 0)  # the unit printed "85"
    assert differs(Decimal("84.816"), 85.0, 2)
    assert differs(None, 85.0, 2)


def test_provinces_ranked_by_the_main_count_with_the_total_last() -> None:
    table = build_table("dissemination", report_data())
    assert [row[:3] for row in table.rows] == [
        ("1", "Lào Cai", "300"), ("2", "Cao Bằng", "200"), ("3", "Hà Giang", "100")]
    assert table.total[:3] == ("", "Toàn Khu vực", "600")
    assert table.header[:3] == ("Hạng", "Tỉnh", "Số cuộc phổ biến")
    assert table.title == "Bảng 1. Phổ biến, giáo dục pháp luật theo tỉnh, năm 2022"
    # The change from 2021 on the same land: 600 sessions after 1.200.
    assert table.header[-1] == "Số cuộc so với năm 2021"
    assert table.rows[0][-1] == "▼ 50,0%" and table.total[-1] == "▼ 50,0%"
    assert table.values[0][:3] == (1, "Lào Cai", 300)  # the numbers behind, for the workbook


def test_rates_are_recomputed_and_a_different_printed_rate_is_shown_beside() -> None:
    table = build_table("mediation", report_data())
    rates = {row[1]: row[-2] for row in table.rows}
    # Hà Giang printed 85,00% for 85 of 100; the others printed what the counts give.
    assert rates == {"Lào Cai": "95,00%", "Cao Bằng": "90,00%", "Hà Giang": "85,00%"}
    data = report_data()
    hg = data.facts["mediation"][0]
    wrong = replace(hg, reported_rates={"success_rate": ReportedRate(87.5, 2)})
    data = replace(data, facts={**data.facts,
                                "mediation": (wrong, *data.facts["mediation"][1:])})
    table = build_table("mediation", data)
    assert table.rows[-1][-2] == "85,00% (đơn vị ghi 87,50%)"
    assert table.notes and "đơn vị ghi" in table.notes[0]
    assert table.total[-2] == "90,00%"  # 270 of 300, from the totals


def test_money_in_billions_with_the_unit_said() -> None:
    table = build_table("enforcement_money", report_data())
    assert table.unit.startswith("Đơn vị tính: tỷ đồng; tỷ lệ: %")
    assert table.total[2] == "1.800,0"


def test_an_open_error_marks_its_figures_the_row_and_the_total_and_unranks_it() -> None:
    errors = (issue(),)  # ENF-05 on Cao Bằng: eligible and resolved
    table = build_table("enforcement_cases", report_data(issues=errors), errors)
    row = next(r for r in table.rows if r[1].startswith("Cao Bằng"))
    assert row[1] == "Cao Bằng†"
    header = list(table.header)
    assert row[header.index("Có điều kiện thi hành")].endswith("†")
    assert row[header.index("Giải quyết xong")].endswith("†")
    assert row[header.index("Tỷ lệ giải quyết xong")].endswith("†")
    assert row[header.index("Tỷ lệ so với năm 2021")].endswith("†")
    assert not row[header.index("Tổng số thụ lý")].endswith("†")
    assert table.total[header.index("Giải quyết xong")].endswith("†")
    assert table.rows[-1] is row and row[0] == "—"  # listed last, without a rank
    assert any("không được xếp hạng" in n for n in table.notes)
    # The other tables are not touched.
    other = build_table("enforcement_money", report_data(issues=errors), errors)
    assert "†" not in "".join(c for r in other.rows for c in r)


def test_an_error_of_the_base_year_marks_the_change_only() -> None:
    errors = (issue(year=2021),)
    table = build_table("enforcement_cases", report_data(issues=errors), errors)
    row = next(r for r in table.rows if r[1].startswith("Cao Bằng"))
    assert row[1] == "Cao Bằng" and row[-1].endswith("†")
    assert not any(c.endswith("†") for c in row[:-1])


def test_enforcement_tables_show_the_target_the_margin_and_the_verdict() -> None:
    data = replace(report_data(), targets=(target("02", goal=85.0), target("04", goal=95.0),
                                           target("10", goal=85.0, comparator="từ")))
    table = build_table("enforcement_cases", data)
    assert table.header[-3:] == ("Chỉ tiêu", "Chênh lệch với chỉ tiêu", "Kết quả")
    rows = {r[1]: r[-3:] for r in table.rows}
    assert rows["Hà Giang"] == ("trên 85,00%", "+5,00", "Đạt")
    assert rows["Cao Bằng"] == ("trên 95,00%", "−5,00", "Không đạt")
    assert rows["Lào Cai"] == ("từ 85,00% trở lên", "+5,00", "Đạt")
    assert "Phải thi hành" not in table.header  # room for the targets
    assert "Chỉ tiêu" not in build_table("dissemination", data).header


def test_a_province_without_a_report_is_listed_unranked() -> None:
    data = report_data()
    data = replace(data, facts={**data.facts, "dissemination": data.facts["dissemination"][1:]})
    table = build_table("dissemination", data)
    assert table.rows[-1][:3] == ("—", "Hà Giang", "chưa có báo cáo")

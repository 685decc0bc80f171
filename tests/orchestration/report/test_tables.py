"""Per-province tables: ranking, total row, recomputed and reported rates, error marks."""

from dataclasses import replace
from decimal import Decimal

from orchestration.report.flags import ErrorMarks
from orchestration.report.model import ReportedRate
from orchestration.report.tables import SPECS, build_table, differs, rank
from tests.orchestration.report.builders import issue, report_data

SPEC = {s.key: s for s in SPECS}


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
    table = build_table(SPEC["dissemination"], report_data(), ErrorMarks({}))
    assert [row[:3] for row in table.rows] == [
        ("1", "Lào Cai", "300"), ("2", "Cao Bằng", "200"), ("3", "Hà Giang", "100")]
    assert table.total[:3] == ("", "Toàn Khu vực", "600")
    assert table.header[:3] == ("TT", "Tỉnh", "Số cuộc")


def test_rates_are_recomputed_and_a_different_printed_rate_is_shown_beside() -> None:
    table = build_table(SPEC["mediation"], report_data(), ErrorMarks({}))
    rates = {row[1]: row[-1] for row in table.rows}
    # Hà Giang printed 85,00% for 85 of 100; the others printed what the counts give.
    assert rates == {"Lào Cai": "95,00%", "Cao Bằng": "90,00%", "Hà Giang": "85,00%"}
    data = report_data()
    hg = data.facts["mediation"][0]
    wrong = replace(hg, reported_rates={"success_rate": ReportedRate(87.5, 2)})
    data = replace(data, facts={**data.facts,
                                "mediation": (wrong, *data.facts["mediation"][1:])})
    table = build_table(SPEC["mediation"], data, ErrorMarks({}))
    assert table.rows[-1][-1] == "85,00% (ĐV: 87,50%)"
    assert table.notes and "ĐV" in table.notes[0]
    assert table.total[-1] == "90,00%"  # 270 of 300, from the totals


def test_money_in_billions_with_the_unit_said() -> None:
    table = build_table(SPEC["enforcement_money"], report_data(), ErrorMarks({}))
    assert table.unit == "Đơn vị tính: tỷ đồng"
    assert table.total[2] == "1.800,0"


def test_an_open_error_marks_its_figures_the_row_and_the_total() -> None:
    marks = ErrorMarks.from_issues([issue()])  # ENF-05 on Cao Bằng: eligible and resolved
    table = build_table(SPEC["enforcement_cases"], report_data(), marks)
    row = next(r for r in table.rows if r[1].startswith("Cao Bằng"))
    assert row[1] == "Cao Bằng†"
    header = list(table.header)
    assert row[header.index("Có điều kiện")].endswith("†")
    assert row[header.index("Giải quyết xong")].endswith("†")
    assert row[header.index("Tỷ lệ giải quyết")].endswith("†")
    assert not row[header.index("Thụ lý")].endswith("†")
    assert table.total[header.index("Giải quyết xong")].endswith("†")
    # The other tables are not touched.
    other = build_table(SPEC["enforcement_money"], report_data(), marks)
    assert "†" not in "".join(c for r in other.rows for c in r)


def test_a_province_without_a_report_is_listed_unranked() -> None:
    data = report_data()
    data = replace(data, facts={**data.facts, "dissemination": data.facts["dissemination"][1:]})
    table = build_table(SPEC["dissemination"], data, ErrorMarks({}))
    assert table.rows[-1][:3] == ("—", "Hà Giang", "chưa có báo cáo")

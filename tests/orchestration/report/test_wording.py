"""How the report prints money, changes, rates and dates."""

from datetime import UTC, date, datetime
from decimal import Decimal

from orchestration.report import wording


def test_money_reads_in_billions_or_millions_of_dong() -> None:
    assert wording.money(593_200_000) == "593,2 tỷ đồng"  # thousand VND
    assert wording.money(1_301_994_441) == "1.302,0 tỷ đồng"
    assert wording.money(850_000) == "850,0 triệu đồng"
    assert wording.money(120) == "120.000 đồng"
    assert wording.money(None) == "—"


def test_a_money_column_takes_one_unit() -> None:
    assert wording.money_unit([593_200_000, 1_000_000]) == "tỷ đồng"
    assert wording.money_unit([593_200_000, 850_000, None, 0]) == "triệu đồng"
    assert wording.money_number(850_000, "triệu đồng") == "850,0"
    assert wording.money_number(593_249_999, "tỷ đồng") == "593,2"


def test_rates_are_recomputed_exactly_and_rounded_half_up() -> None:
    assert wording.percent(wording.rate(2754, 3247)) == "84,82%"
    assert wording.percent(wording.rate(21698, 24196)) == "89,68%"
    assert wording.percent(wording.rate(5, 8)) == "62,50%"
    assert wording.rate(1, 0) is None and wording.rate(None, 5) is None
    assert wording.percent(None) == "—"


def test_changes_in_words_for_sentences() -> None:
    def words(now: int, before: int) -> str | None:
        return wording.change_words(wording.relative(now, before), is_rate=False)

    assert words(105_200, 100_000) == "tăng 5,2%"
    assert words(98_700, 100_000) == "giảm 1,3%"
    assert words(100_000, 100_000) == "không đổi"
    # 12 sessions more on 27.430 is a change, shown with the digits it needs.
    assert words(27_442, 27_430) == "tăng 0,04%"
    assert words(100_000_001, 100_000_000) == "tăng dưới 0,001%"
    assert wording.relative(5, 0) is None and wording.relative(None, 5) is None
    points = wording.points(Decimal("84.82"), Decimal("84.51"))
    assert wording.change_words(points, is_rate=True) == "tăng 0,31 điểm phần trăm"
    assert wording.change_words(Decimal("-0.974"), is_rate=True) == "giảm 0,97 điểm phần trăm"
    assert wording.change_words(None, is_rate=True) is None


def test_change_arrows_stay_in_tables() -> None:
    assert wording.change_arrow(wording.relative(105_200, 100_000), is_rate=False) == "▲ 5,2%"
    assert wording.change_arrow(Decimal("-0.974"), is_rate=True) == "▼ 0,97"
    assert wording.change_arrow(None, is_rate=True) == "—"


def test_dates_are_day_month_year_in_vietnam_time() -> None:
    assert wording.vn_date(date(2022, 11, 28)) == "28/11/2022"
    assert wording.vn_date("2023-11-30") == "30/11/2023"
    # 20:00 UTC on 31 December is already New Year's Day in Vietnam.
    assert wording.vn_date(datetime(2022, 12, 31, 20, 0, tzinfo=UTC)) == "01/01/2023"
    assert wording.vn_datetime(datetime(2026, 12, 2, 10, 21, tzinfo=UTC)) == "17:21 ngày 02/12/2026"


def test_names_are_joined_and_normalised() -> None:
    assert wording.join(["Hà Giang"]) == "Hà Giang"
    assert wording.join(["Hà Giang", "Cao Bằng", "Lào Cai"]) == "Hà Giang, Cao Bằng và Lào Cai"
    decomposed = "Ha\u0300 Giang"
    assert wording.nfc(decomposed) == "Hà Giang"

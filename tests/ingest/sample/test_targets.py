"""The sample's targets decisions: they load, say they are synthetic, keep 2022's real values,
and against the sample's own reports most of the cluster's THADS units exceed both 2022
targets, as the seed article says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.model import TargetDecision
from ingest.parse import parse_file
from ingest.sample import write_sample
from tests.ingest.sample.contracts import effective
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")


def decisions_of(sample: Sample, scope: str) -> dict[str, TargetDecision]:
    out = {}
    for entry in sample.manifest.decisions:
        result = parse_file(sample.manifest.out_dir / entry.file_name, scope=scope)
        assert result.rejection is None, (entry.file_name, result.rejection)
        (decision,) = result.decisions
        assert (decision.year, decision.decision_number, decision.decision_date) == \
            (entry.year, entry.decision_number, entry.decision_date), entry.file_name
        assert len(decision.rows) == len(entry.lines)
        out[entry.file_name] = decision
    return out


def test_every_cluster_year_has_a_decision_and_2024_a_superseding_one(cluster: Sample) -> None:
    decisions = decisions_of(cluster, "cluster")
    thads_years = sorted(d.year for d in decisions.values() if d.unit_types == ("THADS",))
    assert thads_years == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2024, 2025]
    first = decisions["2024_chi-tieu_THADS.xlsx"]
    adjusted = decisions["2024_chi-tieu_THADS_dieu-chinh.xlsx"]
    assert first.decision_date is not None and adjusted.decision_date is not None
    assert adjusted.decision_date > first.decision_date
    superseded = [d for d in cluster.manifest.decisions if d.superseded_by]
    assert [(d.file_name, d.superseded_by) for d in superseded] == [
        ("2024_chi-tieu_THADS.xlsx", "2024_chi-tieu_THADS_dieu-chinh.xlsx")]
    # 2025 names the successors of the merged units; the CSV year reads like the workbooks
    units_2025 = {r.unit for r in decisions["2025_chi-tieu_THADS.xlsx"].rows}
    assert {"THADS-15", "THADS-08"} <= units_2025
    assert decisions["2020_chi-tieu_THADS.csv"].sheet_name is None


def test_2022_keeps_the_real_type_wide_values(cluster: Sample) -> None:
    decision = decisions_of(cluster, "cluster")["2022_chi-tieu_THADS.xlsx"]
    type_wide = {(r.indicator, r.comparator, r.value, r.decimals)
                 for r in decision.rows if r.is_type_wide}
    assert type_wide == {("case_resolution_rate", "trên", 81.5, 2),
                         ("money_resolution_rate", "trên", 40.1, 2)}


def test_most_cluster_units_exceed_both_2022_targets(cluster: Sample) -> None:
    """Against the sample's own 2022 reports: 5 of the 7 THADS units exceed both targets;
    the two given higher targets of their own miss one."""
    decision = decisions_of(cluster, "cluster")["2022_chi-tieu_THADS.xlsx"]
    figures = effective(cluster.good())
    forms = {"case_resolution_rate": "THADS_VIEC", "money_resolution_rate": "THADS_TIEN"}
    both: dict[str, bool] = {}
    for unit in sorted({u for u, y, f in figures if y == 2022 and u.startswith("THADS")}):
        reached = []
        for indicator, form in forms.items():
            rows = {r.unit: r for r in decision.rows if r.indicator == indicator}
            target = rows.get(unit) or rows["THADS"]
            totals = figures[unit, 2022, form].unit_total()
            rate = Decimal(100) * totals["resolved"] / totals["eligible"]
            assert target.comparator == "trên"
            reached.append(rate > Decimal(str(target.value)))
        both[unit] = all(reached)
    assert len(both) == 7
    assert sorted(u for u, ok in both.items() if not ok) == ["THADS-10", "THADS-14"]


def test_the_decisions_say_they_are_synthetic(cluster: Sample) -> None:
    from python_calamine import CalamineWorkbook

    for entry in cluster.manifest.decisions:
        path = cluster.manifest.out_dir / entry.file_name
        if entry.kind == "csv":
            text = path.read_text(encoding="utf-8-sig")
            assert text.splitlines()[0].endswith(";ghi_chu")
            assert all(line.endswith(";số liệu giả lập") for line in text.splitlines()[1:])
            continue
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("CHITIEU").to_python()
        assert "GIẢ LẬP" in rows[0][0] and "GIẢ LẬP" in rows[1][0], entry.file_name
        if entry.year == 2022:
            assert "81,50% về việc và trên 40,10% về tiền là chỉ tiêu thật" in rows[1][0]


def test_national_decisions_and_same_bytes(national: Sample, tmp_path: Path) -> None:
    decisions = decisions_of(national, "national")
    assert sorted(d.year for d in decisions.values()) == [2024, 2024, 2025]
    again = write_sample(tmp_path, scale="national", include_flawed=False, years=[2024, 2025])
    for entry in again.decisions:
        assert (tmp_path / entry.file_name).read_bytes() == \
            (national.manifest.out_dir / entry.file_name).read_bytes()
    assert {d.decision_date for d in again.decisions} == {
        date(2023, 10, 3), date(2024, 3, 15), date(2024, 10, 4)}

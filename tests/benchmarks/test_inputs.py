"""The benchmark's inputs behave as it needs: a corrected report wins; the 4× copies differ in
bytes but not in figures."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks import inputs
from benchmarks.floor import FloorResult, compare_facts, report_files, run_floor
from ingest.parse import parse_file
from tests.benchmarks.facts import rows_by_key as _rows


def test_a_corrected_report_wins(inbox: Path, floor: FloorResult, tmp_path: Path) -> None:
    correction = inputs.make_correction(inbox, tmp_path / "correction")
    assert correction.new_total == correction.old_total + 1
    assert correction.new_report_date > correction.old_report_date
    corrected_inbox = inputs.link_inbox(inbox, tmp_path / "inbox")
    shutil.copy2(correction.path, corrected_inbox / correction.path.name)
    after = run_floor(corrected_inbox)
    key = (correction.province_code, correction.year)
    assert _rows(floor.facts, "fct_dissemination")[key]["sessions"] == correction.old_total
    assert _rows(after.facts, "fct_dissemination")[key]["sessions"] == correction.new_total
    differences = compare_facts(floor.facts, after.facts, limit=0)
    assert differences == [f"fct_dissemination {key[0]}/{key[1]} sessions: "
                           f"{correction.old_total!r} != {correction.new_total!r}"]


def test_copies_have_other_bytes_but_the_same_figures(inbox: Path, floor: FloorResult,
                                                      tmp_path: Path) -> None:
    # one CSV of each dialect (";" Windows-1258 CRLF, "," UTF-8 with BOM) and two workbooks
    names = ["2022_STP-04_Cao-Bang.csv", "2022_THADS-10_xuat-du-lieu.csv",
             "2022_STP-02_Ha-Giang.xlsx", "2022_THADS-11_Dien-Bien.xlsx"]
    source = tmp_path / "source"
    source.mkdir()
    for name in names:
        shutil.copy2(inbox / name, source / name)
    out = tmp_path / "x4"
    out.mkdir()
    inputs.write_copies(source, out, log=lambda _: None)
    assert len(report_files(out)) == 4 * len(names)
    for name in names:
        original = (source / name).read_bytes()
        copies = [(out / inputs.copy_name(Path(name), k)).read_bytes() for k in (1, 2, 3)]
        assert len({original, *copies}) == 4, name

        def figures(path: Path) -> list:
            result = parse_file(path, scope="cluster")
            assert result.rejection is None, (path.name, result.rejection)
            return sorted((s.unit_code, s.year, s.form, v.subunit or "", v.indicator, v.value)
                          for s in result.submissions for v in s.values)

        for k in (1, 2, 3):
            assert figures(out / inputs.copy_name(Path(name), k)) == figures(source / name)
    one, four = run_floor(source), run_floor(out)
    assert four.values == 4 * one.values
    assert compare_facts(one.facts, four.facts) == []

"""The deliberately flawed files: named LOI_…, flawed exactly as the manifest says."""

from __future__ import annotations

import pytest

from tests.ingest.sample.contracts import report_violations
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")


def test_flawed_files_exist_as_the_manifest_says(cluster: Sample) -> None:
    out = cluster.manifest.out_dir
    on_disk = {p.name for p in out.iterdir()}
    assert on_disk == ({f.file_name for f in cluster.manifest}
                       | {d.file_name for d in cluster.manifest.decisions})
    flawed = {f.file_name: f for f in cluster.manifest.flawed}
    assert all(name.startswith("LOI_") for name in flawed)
    assert not [f for f in cluster.manifest.good if f.file_name.startswith("LOI_")]
    assert all(f.why for f in flawed.values())
    assert {f.expected_rejection for f in flawed.values()} == {
        "not_a_number", "unit_unknown", "unit_out_of_scope", "negative", None}
    for f in cluster.manifest:
        assert f.file_name.endswith("." + f.kind)
        assert set(cluster.reports[f.file_name].forms) == set(f.forms)
    # the flaws are really in the files
    by_code = {f.expected_rejection: f.file_name for f in flawed.values()}
    assert cluster.reports[by_code["not_a_number"]].not_numbers == ["12a"]
    assert ",revoked,-3\n" in (out / by_code["negative"]).read_text(encoding="utf-8")
    assert cluster.reports[by_code["unit_unknown"]].unit_name == "Sở Tư pháp tỉnh Hà Tây"
    assert cluster.reports[by_code["unit_unknown"]].unit_code is None
    assert cluster.reports[by_code["unit_out_of_scope"]].unit_code == "STP-01"
    # loadable ones break exactly the rule they are meant to break, and are later corrections
    good_dates = {(r.unit_code, r.year): r.report_date for r in cluster.good()}
    for f in flawed.values():
        if f.expected_rejection is not None:
            continue
        r = cluster.reports[f.file_name]
        assert f.year != 2022
        assert r.report_date > good_dates[r.unit_code, r.year]
        rules = {p.split(": ")[1] for p in report_violations(r)}
        assert rules == set(f.expected_rules) - {"GEN-04"}, f.file_name

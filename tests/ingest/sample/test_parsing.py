"""The sample through the project's parser: every file loads, or is rejected as the manifest
says.
"""

from __future__ import annotations

import pytest

from ingest.parse import parse_file
from tests.ingest.sample.samples import Sample

# One worker makes the package's samples (conftest.py) once: pytest -n 2 --dist loadgroup.
pytestmark = pytest.mark.xdist_group("ingest_sample")


def test_every_sample_file_loads_or_is_rejected_as_expected(cluster: Sample) -> None:
    for f in cluster.manifest:
        result = parse_file(cluster.manifest.out_dir / f.file_name, scope="cluster")
        if f.expected_rejection is not None:
            assert result.rejection is not None, f.file_name
            assert result.rejection.code == f.expected_rejection, (f.file_name, result.rejection)
            continue
        assert result.rejection is None, (f.file_name, result.rejection)
        assert {s.unit_code for s in result.submissions} == {f.unit_code}, f.file_name
        assert {(s.year, s.form) for s in result.submissions} == {(f.year, x) for x in f.forms}
        if f.report_date is not None:
            assert {s.report_date for s in result.submissions} == {f.report_date}, f.file_name


def test_national_sample_loads_with_the_national_scope(national: Sample) -> None:
    for f in national.manifest:
        if f.year != 2025:
            continue
        result = parse_file(national.manifest.out_dir / f.file_name, scope="national")
        assert result.rejection is None, (f.file_name, result.rejection)
        assert {s.unit_code for s in result.submissions} == {f.unit_code}, f.file_name

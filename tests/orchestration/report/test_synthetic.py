"""The sample's files are recognised by content, whatever they are called."""

import hashlib
from pathlib import Path

from ingest.sample import write_sample
from orchestration.report.synthetic import count_synthetic


def test_files_written_by_tuphap_sample_are_recognised(tmp_path: Path) -> None:
    manifest = write_sample(tmp_path, years=[2022])
    renamed = tmp_path / "renamed.xlsx"  # how a file is called does not matter
    (tmp_path / manifest.files[0].file_name).rename(renamed)
    paths = [renamed, *(tmp_path / f.file_name for f in manifest.files[1:])]
    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert count_synthetic(hashes) == len(hashes)
    # A real unit's report (any other content) is not synthetic.
    assert count_synthetic(hashes | {"0" * 64}) == len(hashes)
    assert count_synthetic({hashlib.sha256(b"a real report").hexdigest()}) == 0

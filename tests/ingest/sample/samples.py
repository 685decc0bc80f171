"""A written sample, read back, with unit names resolved through the register."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sample import SampleManifest
from tests.ingest.sample.contracts import register
from tests.ingest.sample.reader import Report, read


@dataclass
class Sample:
    manifest: SampleManifest
    reports: dict[str, Report]  # by file name

    def good(self) -> list[Report]:
        return [self.reports[f.file_name] for f in self.manifest.good]


def load_sample(manifest: SampleManifest) -> Sample:
    units = register()
    reports = {}
    for f in manifest:
        r = read(manifest.out_dir / f.file_name)
        if r.unit_code is None and r.unit_name is not None:  # resolve the name as written
            codes = units.resolve(r.unit_name, r.year)
            r.unit_code = next(iter(codes)) if len(codes) == 1 else None
        reports[f.file_name] = r
    return Sample(manifest, reports)

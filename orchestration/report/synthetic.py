"""Whether a report's figures come from the synthetic sample (`tuphap sample`).

The sample is deterministic, so its files are known by content: a loaded file is a sample file
when its sha256 (kept in the `raw` tables and the facts' lineage) is on the sample's committed
list of file hashes (ingest/sample/known_files.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.sample.known_files import known_sample_hashes


def count_synthetic(sha256s: Iterable[str]) -> int:
    """How many of the files are sample files."""
    return len(set(sha256s) & known_sample_hashes())

"""The committed list of the sample's file hashes is what the sample writes today.

The full list covers both scales and every year (half a minute to write); the test writes the
cluster's 2022 and the country's 2025 and checks their lines, which any change to the
generator's figures, wording or file layout alters.
"""

from __future__ import annotations

from ingest.sample.known_files import KNOWN_FILES, known_sample_hashes, sample_file_lines


def test_the_committed_list_holds_what_the_sample_writes() -> None:
    committed = set(KNOWN_FILES.read_text(encoding="utf-8").splitlines())
    written = {*sample_file_lines(["cluster"], years=[2022]),
               *sample_file_lines(["national"], years=[2025])}
    missing = written - committed
    assert not missing, ("the sample changed: run `python -m ingest.sample.known_files "
                         f"--write` ({len(missing)} new lines, e.g. {sorted(missing)[:2]})")


def test_every_line_is_a_hash_and_a_file() -> None:
    lines = KNOWN_FILES.read_text(encoding="utf-8").splitlines()
    assert len(known_sample_hashes()) > 1_000  # a file both scales write is listed twice
    for line in lines:
        digest, name = line.split("  ")
        assert len(digest) == 64 and name.split("/")[0] in ("cluster", "national")

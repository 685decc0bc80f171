"""The sample's own files, known by content: how the warehouse tells synthetic figures apart.

The sample is deterministic (same arguments, same bytes), so the sha256 of every file
`tuphap sample` can write is a fixed list, committed beside this module (`sample_files.sha256`,
one `<sha256>  <scale>/<file name>` line a file). A loaded file whose hash is on the list came
from the sample inbox: the raw tables keep every file's sha256, so the yearly report can say
"synthetic" with one set lookup instead of writing the sample again on every load (1.600
national files take half a minute). A test regenerates part of the sample and compares it with
the list; after a change to the generator, write the list anew:

    python -m ingest.sample.known_files --write
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from ingest.sample import SCALES, write_sample

KNOWN_FILES = Path(__file__).with_name("sample_files.sha256")


def sample_file_lines(scales: Iterable[str] = SCALES,
                      years: Iterable[int] | None = None) -> Iterator[str]:
    """`<sha256>  <scale>/<file name>` for every file the sample writes (flawed ones and the
    targets decisions too)."""
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="tuphap-sample-") as tmp:
            manifest = write_sample(Path(tmp), scale=scale, years=years)
            names = [f.file_name for f in manifest.files]
            names += [d.file_name for d in manifest.decisions]
            for name in sorted(names):
                digest = hashlib.sha256((Path(tmp) / name).read_bytes()).hexdigest()
                yield f"{digest}  {scale}/{name}"


@cache
def known_sample_hashes() -> frozenset[str]:
    """The sha256 of every file the sample can write, from the committed list."""
    return frozenset(line.split()[0] for line in KNOWN_FILES.read_text(encoding="utf-8")
                     .splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {KNOWN_FILES.name}")
    args = parser.parse_args(argv)
    lines = "\n".join(sample_file_lines()) + "\n"
    if args.write:
        KNOWN_FILES.write_text(lines, encoding="utf-8")
    else:
        print(lines, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

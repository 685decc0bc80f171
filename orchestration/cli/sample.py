"""`tuphap sample --out DIR [--scale cluster|national] [--no-flawed]`: the synthetic sample
(reports and targets decisions)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser("sample", help="write the synthetic sample reports")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--scale", choices=("cluster", "national"), default="cluster")
    parser.add_argument("--no-flawed", action="store_true",
                        help="leave out the deliberately flawed files")
    return parser


def run(args: argparse.Namespace) -> int:
    from ingest.sample import write_sample

    manifest = write_sample(args.out, scale=args.scale, include_flawed=not args.no_flawed)
    files = manifest.files
    flawed = [f for f in files if f.flawed]
    print(f"wrote {len(files)} synthetic report files to {args.out} "
          f"({len(flawed)} deliberately flawed) and {len(manifest.decisions)} targets decisions")
    return 0

"""Resource limits for reading untrusted files.

The inbox receives files from dozens of offices by e-mail and portals; one malformed or
malicious file (a zip bomb, a sheet with a cell at XFD1048576) must not exhaust the memory of
the load or stall it. The spreadsheet library allocates a dense grid per sheet in native
code, so sizes are checked BEFORE it is called: file size first, then the zip central
directory (declared member sizes and compression ratios), then the cell extent of every sheet
found by scanning its XML. A real report is a few dozen rows and well under 1 MiB, so the
defaults leave room for 100x growth while still refusing absurd files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Ceilings applied to every received file; exceeding one rejects the file as too_large."""

    max_file_bytes: int = 50 * MIB
    """Size of the file on disk (any kind)."""
    max_inflated_bytes: int = 100 * MIB
    """Sum of the uncompressed sizes of a zip-based workbook's members (xlsx, ods)."""
    max_compression_ratio: int = 200
    """Uncompressed/compressed size of one zip member, checked for members of at least
    `ratio_min_member_bytes` (tiny members compress erratically; sheet XML is ~10-30x)."""
    max_rows: int = 100_000
    """Rows of one sheet (its used extent), or records of one CSV."""
    max_cells: int = 2_000_000
    """Cells of the used extent of all sheets of a workbook together, or fields of a CSV."""
    ratio_min_member_bytes: int = 1 * MIB

    _ENV = {
        "max_file_bytes": "TUPHAP_MAX_FILE_BYTES",
        "max_inflated_bytes": "TUPHAP_MAX_INFLATED_BYTES",
        "max_compression_ratio": "TUPHAP_MAX_COMPRESSION_RATIO",
        "max_rows": "TUPHAP_MAX_ROWS",
        "max_cells": "TUPHAP_MAX_CELLS",
        "ratio_min_member_bytes": "TUPHAP_RATIO_MIN_MEMBER_BYTES",
    }

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive integer, got {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults overridden by TUPHAP_MAX_FILE_BYTES, TUPHAP_MAX_INFLATED_BYTES,
        TUPHAP_MAX_COMPRESSION_RATIO, TUPHAP_MAX_ROWS, TUPHAP_MAX_CELLS (positive integers;
        "_" separators allowed, e.g. 200_000). A malformed value raises ValueError naming it,
        because silently falling back to a default would hide a configuration mistake."""
        env = os.environ if environ is None else environ
        overrides: dict[str, int] = {}
        for name, var in cls._ENV.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            try:
                overrides[name] = int(raw.strip())
            except ValueError as exc:
                raise ValueError(f"{var} must be a positive integer, got {raw!r}") from exc
        return cls(**overrides)


# `_ENV` is a class attribute, not a field: dataclass ignores names without annotations.
DEFAULT_LIMITS = Limits()

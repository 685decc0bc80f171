"""Rendered charts (and the page's inline fonts) kept by content, made once on this machine.

Drawing a chart (Vega in vl-convert's JavaScript engine) is most of a yearly report's cost,
and the same figures give the same chart: a load that only adds a year, a warehouse rebuilt
from the same reports, or a second warehouse of the same data draws nothing again. The key is
the chart's whole specification with its data, the number format and the font, and
vl-convert's version; the files are written atomically, so a killed load leaves no half file.
A cache that cannot be written (a read-only home) is skipped: the thing is made every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

KEEP_CHARTS = 2000  # the newest kept of each kind (a chart is ~20 KB), older ones removed


def cache_dir() -> Path:
    """TUPHAP_CHART_CACHE, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    configured = os.environ.get("TUPHAP_CHART_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tuphap" / "charts"


def chart_key(spec: dict[str, Any], **settings: Any) -> str:
    import vl_convert

    return content_key({"spec": spec, "settings": settings,
                        "vl_convert": getattr(vl_convert, "__version__", "")})


def content_key(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(key: str, suffix: str = "svg") -> str | None:
    try:
        return (cache_dir() / f"{key}.{suffix}").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store(key: str, text: str, suffix: str = "svg") -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{key}.{suffix}"
        partial = folder / f".{name}.{os.getpid()}.partial"
        partial.write_bytes(text.encode("utf-8"))
        partial.replace(folder / name)
        _prune(folder, suffix)
    except OSError:
        return


def _prune(folder: Path, suffix: str) -> None:
    kept = sorted(folder.glob(f"*.{suffix}"), key=_modified, reverse=True)
    for old in kept[KEEP_CHARTS:]:
        old.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

"""Rendered charts kept by content, so the same chart is drawn once on this machine.

Drawing a chart (Vega in vl-convert's JavaScript engine, then the PNG) is most of a yearly
report's cost, about half a second a chart, and the same figures give the same chart: a load
that only adds a year, a warehouse rebuilt from the same reports, or a second warehouse of the
same data draws nothing again. The key is the chart's whole specification with its data, the
number format and scale, and vl-convert's version; the files are written atomically, so a
killed load leaves no half file. A cache that cannot be written (a read-only home) is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

KEEP_CHARTS = 2000  # the newest kept (~60 KB each); older ones are removed when one is added


def cache_dir() -> Path:
    """TUPHAP_CHART_CACHE, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    configured = os.environ.get("TUPHAP_CHART_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tuphap" / "charts"


def chart_key(spec: dict[str, Any], **settings: Any) -> str:
    import vl_convert

    text = json.dumps({"spec": spec, "settings": settings,
                       "vl_convert": getattr(vl_convert, "__version__", "")},
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(key: str) -> tuple[str, bytes] | None:
    folder = cache_dir()
    try:
        return ((folder / f"{key}.svg").read_text(encoding="utf-8"),
                (folder / f"{key}.png").read_bytes())
    except (OSError, UnicodeDecodeError):
        return None


def store(key: str, svg: str, png: bytes) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in ((f"{key}.png", png), (f"{key}.svg", svg.encode("utf-8"))):
            partial = folder / f".{name}.{os.getpid()}.partial"
            partial.write_bytes(content)
            partial.replace(folder / name)  # the .svg last: `load` finds both or neither
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    charts = sorted(folder.glob("*.svg"), key=_modified, reverse=True)
    for old in charts[KEEP_CHARTS:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".png").unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

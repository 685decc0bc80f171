"""Where a warehouse's yearly reports go on this machine. Light on purpose: `tuphap load` says
where its reports will be without importing the report's chart and PDF engines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.warehouse.engine import WarehouseEngine


def default_out_dir(engine: WarehouseEngine) -> Path:
    """`reports/` in the warehouse's folder on this machine: beside the DuckDB file, or the
    server warehouse's local folder."""
    return engine.local_dir / "reports"

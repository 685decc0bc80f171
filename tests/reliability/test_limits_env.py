"""The TUPHAP_MAX_* limits documented in docs/reliability.md are the ones a load applies."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.limits import DEFAULT_LIMITS, MIB
from orchestration.ingest.assets import raw_reports
from orchestration.ingest.inbox import InboxResource
from orchestration.partitions import range_tags
from orchestration.publish.assets import published_warehouse
from orchestration.warehouse.resources import WarehouseResource
from tests.ingest.builders import report_grid, write_xlsx


def _ingest(inbox: Path, warehouse: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_reports, published_warehouse],
        resources={"warehouse": WarehouseResource(path=str(warehouse), scope="cluster"),
                   "inbox": InboxResource(path=str(inbox))},
        tags=range_tags("2022", "2022"), instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    rows = [(f"Huyện {i}", {"sessions": i}) for i in range(1, 9)]
    write_xlsx(folder / "bao-cao.xlsx", {"PBGDPL": report_grid("PBGDPL", rows)})
    return folder


def test_the_defaults_are_the_documented_ones() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    for name, var in DEFAULT_LIMITS._ENV.items():  # noqa: SLF001 - the documented mapping
        value = getattr(DEFAULT_LIMITS, name)
        assert f"| `{name}` | `{var}` | {value:,}".replace(",", " ") in doc, (name, value)
    # A real report is tens of KB and a few dozen rows: the defaults leave ~100x room.
    assert DEFAULT_LIMITS.max_file_bytes >= 10 * MIB and DEFAULT_LIMITS.max_rows >= 10_000


def test_a_load_applies_the_limits_from_the_environment(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUPHAP_MAX_ROWS", "5")
    warehouse = tmp_path / "w.duckdb"
    assert _ingest(inbox, warehouse).success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (code, reason), = con.execute(
            "select reason_code, reason from raw.received_files").fetchall()
    finally:
        con.close()
    assert code == "too_large" and "giới hạn 5" in reason, reason


def test_a_malformed_limit_fails_the_load_with_its_name(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUPHAP_MAX_FILE_BYTES", "50MB")
    result = _ingest(inbox, tmp_path / "w.duckdb")
    assert not result.success
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    messages = []
    while error is not None:  # Dagster wraps the asset's ValueError
        messages.append(error.message)
        error = error.cause
    assert any("TUPHAP_MAX_FILE_BYTES must be a positive integer, got '50MB'" in m
               for m in messages), messages
    assert not (tmp_path / "w.duckdb").exists()  # nothing published

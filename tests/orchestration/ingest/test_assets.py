"""The ingest asset materialised for real: a real inbox, a real DuckDB build, real partitions."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.sample import write_sample
from orchestration.ingest.assets import raw_reports
from orchestration.ingest.inbox import InboxResource
from orchestration.partitions import range_tags
from orchestration.publish.assets import published_warehouse
from orchestration.warehouse.resources import WarehouseResource


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    write_sample(folder, years=[2022, 2023])
    return folder


def _load(inbox: Path, warehouse: Path, first: str, last: str) -> dg.ExecuteInProcessResult:
    """Materialise the ingest and publish assets for a range of years, as a load does."""
    result = dg.materialize(
        [raw_reports, published_warehouse],
        resources={"warehouse": WarehouseResource(path=str(warehouse), scope="cluster"),
                   "inbox": InboxResource(path=str(inbox))},
        tags=range_tags(first, last),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_year_partition_loads_only_its_year_and_records_every_rejection(
    inbox: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = _load(inbox, warehouse, "2022", "2022")
    materializations = result.asset_materializations_for_node("raw_reports")
    assert {m.asset_key.to_user_string() for m in materializations} == {
        "raw/received_files", "raw/file_receipts", "raw/submissions", "raw/submission_values",
        "raw/target_decisions", "raw/target_values", "raw/skipped_inbox_entries",
        "raw/reporting_calendar"}
    assert {m.partition for m in materializations} == {"2022"}
    decisions = next(m for m in materializations
                     if m.asset_key.to_user_string() == "raw/target_decisions")
    assert [d["file"] for d in decisions.metadata["decisions"].value] == [
        "2022_chi-tieu_THADS.xlsx"]

    assert _query(warehouse, "select distinct year from raw.submissions") == [(2022,)]
    assert _query(warehouse, "select year from raw.target_decisions") == [(2022,)]
    statuses = dict(_query(warehouse, "select status, count(*) from raw.received_files group by 1"))
    assert statuses["rejected"] == 2  # Hà Nội (2022, out of scope) and Hà Tây (2023): any year
    for (path,) in _query(warehouse, "select archive_path from raw.received_files"):
        assert Path(path).exists()

    # The other year arrives when its partition runs, from the archive, without re-receiving.
    _load(inbox, warehouse, "2022", "2023")
    years = dict(_query(warehouse, "select year, count(*) from raw.submissions group by 1"))
    assert set(years) == {2022, 2023}
    assert _query(warehouse, "select year from raw.target_decisions order by 1") == [
        (2022,), (2023,)]
    before = _query(warehouse, "select * from raw.submissions order by all")
    _load(inbox, warehouse, "2022", "2023")
    assert _query(warehouse, "select * from raw.submissions order by all") == before


def test_a_run_without_the_publish_step_leaves_the_published_warehouse_alone(
    inbox: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    result = dg.materialize(
        [raw_reports],
        resources={"warehouse": WarehouseResource(path=str(warehouse), scope="cluster"),
                   "inbox": InboxResource(path=str(inbox))},
        tags=range_tags("2022", "2022"),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    assert not warehouse.exists()
    assert list((tmp_path / ".build").iterdir()) == []


def test_the_run_records_the_entries_it_skipped_under_its_run_id(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_sample(inbox, years=[2022], include_flawed=False)
    report = sorted(inbox.glob("*.xlsx"))[0]
    (inbox / f"link to {report.name}").symlink_to(report)
    warehouse = tmp_path / "w.duckdb"

    result = _load(inbox, warehouse, "2022", "2022")

    (received,) = [m for m in result.asset_materializations_for_node("raw_reports")
                   if m.asset_key.to_user_string() == "raw/received_files"]
    assert received.metadata["skipped"].value == [{
        "file": f"link to {report.name}", "kind": "symlink",
        "reason": "symbolic link, not followed (copy the file itself into the inbox)"}]
    assert _query(warehouse, "select path, load_id from raw.skipped_inbox_entries") == [
        (f"link to {report.name}", result.run_id)]

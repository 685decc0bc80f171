"""`tuphap load` as real processes: killed, run twice at once, read during, fed hostile files.

All tests here share a few full loads (conftest.py: `kill_story`, `reference_load`), so they
live in one module: pytest-xdist keeps a module on one worker with --dist loadfile/loadscope,
and the xdist_group mark does the same with --dist loadgroup (where pytest honours it).

Content is compared table by table over the raw and main schemas (conftest.warehouse_content):
timing columns are left out: every TIMESTAMP column (received_at, loaded_at, first_seen_at,
file_modified_at, dq_issues' first/last_seen_at, resolved_at, acknowledged_at, alerted_at),
times written into text (dq_issues.details carries winner_received_at), and archive paths are
cut to their file name (the sha256). Run ids are not stored in these tables.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingest.sample import SampleManifest
from ingest.text import echo
from tests.reliability.conftest import (
    INIT_INSTANCE,
    ROOT,
    TUPHAP,
    Inboxes,
    KillStory,
    ReferenceLoad,
    content_diff,
    file_sha256,
    isolated_env,
    warehouse_content,
)
from tests.reliability.hostile import INJECTIONS
from tests.reliability.reader import observe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_loads")]
GIB = 1024**3


# ---------------------------------------------------------------------------------------------
# 1. A load killed at any point leaves the published warehouse exactly as it was.
#
# conftest.kill_story: part of the inbox is loaded and published, then loads of the whole inbox
# are SIGKILLed (the process only, as the OOM killer does) at four points, then a load that was
# waiting for the lock runs to the end.

POINTS = ["build copy made", "parsing new files", "dbt running",
          "after dq_issues and alerts, just before publish"]


def test_the_load_was_killed_at_each_point(kill_story: KillStory) -> None:
    assert [kill.point for kill in kill_story.kills] == POINTS
    for kill in kill_story.kills:
        assert kill.load.returncode == -9, kill.point
    print("killed at (s into the load):",
          {kill.point: round(kill.seconds_into_load, 1) for kill in kill_story.kills})


def test_the_published_warehouse_is_byte_for_byte_unchanged_after_each_kill(
    kill_story: KillStory,
) -> None:
    for kill in kill_story.kills:
        assert kill.published_sha_after == kill_story.published_sha_before, kill.point
        diff = content_diff(kill_story.content_before, kill.content_after)
        assert not diff, (kill.point, diff)


def test_no_stale_lock_blocks_the_next_load(kill_story: KillStory) -> None:
    # Probed from this process right after each kill: free at once (the OS dropped it).
    assert [kill.lock_free_after for kill in kill_story.kills[:-1]] == [True, True, True]
    # And each next load, started without --wait, got past it: it made its build copy (the
    # fixture waited for that), and the load waiting with --wait ran once the last was killed.
    assert kill_story.rerun.returncode == 0, kill_story.rerun.stderr()[-3000:]


def test_a_killed_loads_dbt_does_not_outlive_it_into_the_next_load(
    kill_story: KillStory,
) -> None:
    """SIGKILL spares a load's children. The warm dbt process running the build and the worker
    processes end by themselves once they notice (orchestration/runtime/workers.py); anything else
    started for the build would be stopped by the next load before it re-creates the build
    folder (warehouse.stop_leftover_processes, tests/reliability/test_leftovers.py)."""
    dbt_kill = kill_story.kills[2]
    commands = dbt_kill.load.orphan_commands
    assert any("dbt" in command for command in commands.values()), commands
    assert kill_story.orphans_alive_when_next_build_ready == []
    # Nothing any killed load started is still running at the end.
    assert kill_story.orphans_alive_at_end == {}


def test_the_rerun_yields_what_an_uninterrupted_load_yields(
    kill_story: KillStory, reference_load: ReferenceLoad
) -> None:
    diff = content_diff(reference_load.content, kill_story.content_after_rerun)
    assert not diff, diff
    assert kill_story.content_after_rerun != kill_story.content_before


def test_nothing_of_the_killed_loads_is_left_behind(kill_story: KillStory) -> None:
    warehouse = kill_story.warehouse
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    build = warehouse.parent / ".build"
    assert not (build / warehouse.name).exists()  # published, i.e. moved into place
    assert not list(build.glob("*.partial"))
    assert not list((warehouse.parent / "archive").rglob("*.partial"))


def test_an_alert_sent_by_a_killed_load_is_sent_again_not_lost(kill_story: KillStory) -> None:
    """The last load was killed after sending its alert but before publishing, so the record
    that it was sent was lost with its build copy: the rerun sends it again (at least once)."""
    alerts = [line for line in (kill_story.warehouse.parent / "alerts.log").read_text(
        encoding="utf-8").splitlines() if line.startswith("===== ")]
    subjects = [line.split(" ", 2)[2] for line in alerts]
    assert len(subjects) >= 2 and subjects[-1] == subjects[-2], alerts

# ---------------------------------------------------------------------------------------------
# 2 and 3. Two loads at once; an analyst reading while a load runs.


def test_two_loads_started_at_once_one_publishes_the_other_refuses(
    kill_story: KillStory,
) -> None:
    winner, loser = sorted(kill_story.first, key=lambda load: load.returncode)
    assert winner.returncode == 0, winner.stderr()[-3000:]
    assert loser.returncode != 0
    assert "another load is running" in loser.stderr(), loser.stderr()[-3000:]
    assert "--wait" in loser.stderr()
    assert "Traceback" not in loser.stdout() + loser.stderr()
    # Refused while the winner still ran: it did not wait for it.
    assert loser.end_order is not None and winner.end_order is not None
    assert loser.end_order < winner.end_order
    print(f"winner {winner.elapsed:.1f} s, loser refused after {loser.elapsed:.1f} s")


def test_the_refusal_says_why_in_its_last_line_without_a_stack_trace(
    kill_story: KillStory,
) -> None:
    loser = max(kill_story.first, key=lambda load: load.returncode or 0)
    last_line = loser.stderr().strip().splitlines()[-1]
    assert "another load is running" in last_line, last_line
    # These loads run with TUPHAP_LOG_LEVEL=INFO (to find kill points), which also shows
    # Dagster's own error events; at the default level the refusal is the only line.


def test_after_two_loads_at_once_the_warehouse_holds_one_complete_load(
    kill_story: KillStory, inboxes: Inboxes,
) -> None:
    content = kill_story.content_before
    received = content["raw.received_files"]
    assert len(received) == len(list(inboxes.part.iterdir()))
    assert len(content["raw.file_receipts"]) == len(received)  # not two receipts per file
    assert content["main.fct_enforcement"] and content["main.dq_issues"] is not None


def test_a_load_with_wait_waits_for_the_running_load_then_succeeds(
    kill_story: KillStory,
) -> None:
    rerun = kill_story.rerun
    assert rerun.returncode == 0, rerun.stderr()[-3000:]
    assert "another load is running" not in rerun.stderr()
    # It was waiting for the lock (running, the lock file open) when the holder was killed.
    assert kill_story.rerun_waiting_at_kill
    print(f"--wait load waited {kill_story.rerun_waited_seconds:.1f} s, then ran "
          f"{(rerun.elapsed or 0) - kill_story.rerun_waited_seconds:.1f} s")


def test_a_reader_is_never_disturbed_by_a_load(kill_story: KillStory) -> None:
    assert [reader.returncode for reader in kill_story.readers] == [0, 0]
    entries = [json.loads(line) for line in kill_story.reader_log.read_text().splitlines()]
    errors = [e for e in entries if "error" in e]
    assert not errors, errors[:5]
    held = [e for e in entries if e["conn"] == "held"]
    fresh = [e for e in entries if e["conn"] == "fresh"]
    # It read throughout the load that was waiting, then ran and published.
    rerun = kill_story.rerun
    assert len(held) > 100 and len(fresh) > 20, (len(held), len(fresh))
    con = duckdb.connect(str(kill_story.warehouse), read_only=True)
    try:
        after = observe(con)
    finally:
        con.close()
    before = held[0]["counts"]
    assert after != before
    # The open connection keeps the snapshot it opened; short-lived ones see the old content,
    # then the new one, and nothing in between.
    assert all(e["counts"] == before for e in held)
    assert {tuple(e["counts"]) for e in fresh} <= {tuple(before), tuple(after)}
    assert fresh[0]["counts"] == before and fresh[-1]["counts"] == after
    switched = next(e["t"] for e in fresh if e["counts"] == after)
    assert fresh[0]["t"] < switched
    print(f"reader: {len(held)} queries on a held connection, {len(fresh)} on new ones, "
          f"0 errors; load ran {rerun.elapsed:.0f} s")
    # And the content a new connection sees is the whole new load.
    assert not content_diff(warehouse_content(kill_story.warehouse),
                            kill_story.content_after_rerun)

# ---------------------------------------------------------------------------------------------
# 4. One load of an inbox full of hostile files (conftest.reference_load): it completes,
# rejects each bad file with a reason, loads the good ones, keeps formula and SQL text as
# text, and stays under 2 GiB.

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _rows(reference_load: ReferenceLoad, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(reference_load.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_load_completes_without_a_traceback(reference_load: ReferenceLoad) -> None:
    load = reference_load.load
    assert load.returncode == 0
    output = load.stdout() + load.stderr()
    assert "Traceback (most recent call last)" not in output
    assert "panicked at" not in output  # native reader failures stay in their child


def test_peak_memory_of_the_load_is_under_2_gib(reference_load: ReferenceLoad) -> None:
    """wait4's ru_maxrss (the load and the children it reaped: dbt, .xls readers) is an upper
    bound: it also counts pytest's pages shared with the child before exec. VmHWM, sampled
    while the load ran, is the load process's own peak."""
    load = reference_load.load
    maxrss = load.maxrss_bytes or 0
    print(f"peak RSS of the load: wait4 ru_maxrss {maxrss / 1024**2:.0f} MiB, own VmHWM "
          f"{load.hwm_bytes / 1024**2:.0f} MiB; wall time {load.elapsed:.0f} s")
    assert 0 < load.hwm_bytes < 2 * GIB and 0 < maxrss < 2 * GIB


def test_each_bad_file_is_rejected_with_a_vietnamese_reason_naming_it(
    reference_load: ReferenceLoad, inboxes: Inboxes,
) -> None:
    rows = _rows(reference_load,
                 "select source_file, reason, reason_code from main.rejected_reports")
    by_file: dict[str, list[tuple[str, str]]] = {}
    for source_file, reason, code in rows:
        by_file.setdefault(source_file, []).append((reason, code))
    for name, expect in inboxes.hostile.items():
        if expect.loads:
            assert name not in by_file, (name, by_file.get(name))
            continue
        assert len(by_file.get(name, [])) == 1, (name, expect.why, sorted(by_file))
        (reason, code), = by_file[name]
        assert code == expect.code, (name, code, reason)
        assert reason.startswith(f'Tệp "{echo(name, 120)}"'), (name, reason)
        assert VIETNAMESE.search(reason.split('"', 2)[2]), reason
        assert "\n" not in reason


def test_the_good_files_are_loaded(reference_load: ReferenceLoad, inboxes: Inboxes,
                                   sample: SampleManifest) -> None:
    loaded = dict(_rows(reference_load,
                        "select source_file, any_value(unit_code) from raw.submissions"
                        " group by source_file"))
    for name, expect in inboxes.hostile.items():
        if expect.loads:
            assert loaded.get(name) == expect.unit_code, (name, expect.why)
    good_sample = [f.file_name for f in sample if f.expected_rejection is None]
    assert set(good_sample) <= set(loaded)


def test_injection_strings_come_back_byte_identical_as_text(
    reference_load: ReferenceLoad,
) -> None:
    for name in ("ten-don-vi-con-doc-hai.xlsx", "ten-don-vi-con-doc-hai.csv"):
        rows = _rows(reference_load,
                     "select v.subunit from raw.submission_values v join raw.submissions s"
                     " using (submission_id) where s.source_file = ? and v.subunit is not null"
                     " order by v.subunit_order", [name])
        names = list(dict.fromkeys(row[0] for row in rows))
        assert [n.encode() for n in names] == [i.encode() for i in INJECTIONS], name
    # Nothing was executed: the tables the strings name are all there, full.
    counts = _rows(reference_load,
                   "select (select count(*) from raw.submissions),"
                   " (select count(*) from raw.received_files)")[0]
    assert counts[0] > 200 and counts[1] > 150, counts


# ---------------------------------------------------------------------------------------------
# A load that runs out of disk space fails with a message and leaves the published file alone.
# The disk is made "full" for the load process with a file-size limit (RLIMIT_FSIZE): every
# write past 4 MiB fails with EFBIG, as it would with ENOSPC. The first big write of a load is
# the build copy of the published warehouse (~15 MB), so the load fails right there.

LIMIT = 4 * 1024 * 1024


def _small_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_a_load_that_runs_out_of_disk_fails_cleanly(
    reference_load: ReferenceLoad, inboxes: Inboxes, tmp_path: Path
) -> None:
    env = isolated_env(tmp_path, inboxes.part)
    warehouse = Path(env["TUPHAP_WAREHOUSE"])
    warehouse.parent.mkdir(parents=True)
    shutil.copyfile(reference_load.warehouse, warehouse)
    assert warehouse.stat().st_size > LIMIT
    before = file_sha256(warehouse)
    # The Dagster instance exists (created without the limit), as on any used machine.
    subprocess.run([*TUPHAP[:1], "-c", INIT_INSTANCE], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    done = subprocess.run([*TUPHAP, "load"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, preexec_fn=_small_disk)
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "tuphap load failed" in done.stderr
    assert "File too large" in done.stderr  # EFBIG, named in the run's log on stderr
    assert file_sha256(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    # Nothing holds the warehouse: with space again, the next load can start at once.
    from orchestration.warehouse.duckdb import load_lock

    with load_lock(warehouse, timeout_seconds=0):
        pass

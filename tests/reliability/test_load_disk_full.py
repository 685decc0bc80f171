"""A load that runs out of disk space fails with a message and leaves the published file alone.

The disk is made "full" for the load process with a file-size limit (RLIMIT_FSIZE): every
write past 4 MiB fails with EFBIG, as it would with ENOSPC. The first big write of a load is
the build copy of the published warehouse (~15 MB), so the load fails right there.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    INIT_INSTANCE,
    ROOT,
    TUPHAP,
    Inboxes,
    ReferenceLoad,
    file_sha256,
    isolated_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_loads")]
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
                          timeout=600, preexec_fn=_small_disk)  # noqa: PLW1509 - no threads here
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "tuphap load failed" in done.stderr
    assert "File too large" in done.stderr  # EFBIG, named in the run's log on stderr
    assert file_sha256(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    # Nothing holds the warehouse: with space again, the next load can start at once.
    from orchestration.warehouse import load_lock

    with load_lock(warehouse, timeout_seconds=0):
        pass

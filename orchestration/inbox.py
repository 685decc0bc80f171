"""The inbox and the content-addressed archive: receiving files before anything else.

Every received file is copied into the archive under its sha256 before it is parsed, so nothing
received is ever lost, a file already seen is recognised by content whatever its name, and a
rejected file can be looked at later.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration import settings

_CHUNK = 1 << 20


@dataclass(frozen=True)
class InboxFile:
    path: Path
    name: str  # path relative to the inbox, as people named it
    size_bytes: int
    modified_at: datetime


def _is_candidate(path: Path) -> bool:
    name = path.name
    # Hidden files, Office lock files ("~$x.xlsx") and partial downloads are not reports.
    return not (name.startswith((".", "~$")) or name.endswith((".part", ".crdownload", ".tmp")))


def scan_inbox(inbox: Path) -> list[InboxFile]:
    """Every regular file under the inbox, in a stable order."""
    if not inbox.is_dir():
        return []
    found = []
    for path in sorted(inbox.rglob("*")):
        if not path.is_file() or path.is_symlink() or not _is_candidate(path):
            continue
        stat = path.stat()
        found.append(
            InboxFile(
                path=path,
                name=path.relative_to(inbox).as_posix(),
                size_bytes=stat.st_size,
                modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
            )
        )
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path_for(archive: Path, sha256: str) -> Path:
    return archive / sha256[:2] / sha256


def _copy_hashing(path: Path, archive_dir: Path) -> tuple[str, Path]:
    """Copy `path` to a private partial file in the archive; return the copy's sha256 and path."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    partial = archive_dir / f".{os.getpid()}.{time.monotonic_ns()}.partial"
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as source, open(partial, "wb") as sink:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sha256 = digest.hexdigest()
    archive_path_for(archive_dir, sha256).parent.mkdir(parents=True, exist_ok=True)
    return sha256, partial


def archive_file(path: Path, archive_dir: Path) -> tuple[str, Path]:
    """Archive a received file by content; return its sha256 and its archived copy.

    The hash names exactly the bytes archived (and so the bytes parsed): a file still being
    written into the inbox, or replaced while the load runs, may change between a first hash
    and the copy, and must not end up stored under the hash of other content. Content already
    archived is recognised by its hash without a second copy."""
    sha256 = sha256_of(path)
    target = archive_path_for(archive_dir, sha256)
    if target.exists():
        return sha256, target
    copied, partial = _copy_hashing(path, archive_dir)
    target = archive_path_for(archive_dir, copied)
    if target.exists():
        partial.unlink()
    else:
        os.replace(partial, target)
    return copied, target


class InboxResource(dg.ConfigurableResource):
    """The folder where units' report files arrive."""

    path: str | None = None  # default TUPHAP_INBOX or data/inbox

    @property
    def resolved_path(self) -> Path:
        return settings.inbox_path(self.path)

    def files(self) -> list[InboxFile]:
        return scan_inbox(self.resolved_path)

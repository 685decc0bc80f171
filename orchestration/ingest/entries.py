"""What the inbox holds: the files a load receives, and every other entry with why it is not.

Nothing received is silently ignored. The inbox is walked without following symbolic links (a
link can point at any file on the machine, so it is never read), sub-folders are walked into
(their files load like the others), and every entry that is not loaded is kept with its kind
and a reason in English for the data team: the load records them in
`raw.skipped_inbox_entries` and `tuphap load` lists them.

An entry's kind comes from `lstat` alone, so a FIFO is never opened (opening one waits for a
writer forever) and a link is never resolved.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class InboxFile:
    path: Path
    name: str  # path relative to the inbox, as people named it
    size_bytes: int
    modified_at: datetime


@dataclass(frozen=True)
class SkippedEntry:
    """An inbox entry the load does not read, and why (a row of raw.skipped_inbox_entries)."""

    name: str  # path relative to the inbox, as people named it
    kind: str  # SKIP_REASONS' key
    reason: str  # for the data team, in English

    def as_row(self) -> dict[str, str]:
        """As the load's metadata and summary carry it."""
        return {"file": self.name, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class InboxScan:
    files: list[InboxFile]  # what the load receives, in a stable order
    skipped: list[SkippedEntry]  # everything else, in the same order


# Why each kind of entry is not loaded: what the data team reads in the summary.
SKIP_REASONS = {
    "symlink": "symbolic link, not followed (copy the file itself into the inbox)",
    "fifo": "named pipe (FIFO), not a file: not read",
    "socket": "socket, not a file: not read",
    "device": "device file, not a file: not read",
    "other": "not a regular file: not read",
    "unreadable_folder": "folder that cannot be read, so its files are not seen",
    "unreadable": "file that cannot be read",
    "vanished": "removed from the inbox while the load was reading it",
    "hidden": "hidden file, not a report",
    "office_lock": "lock file of a workbook open in a spreadsheet program, not a report",
    "partial_download": "unfinished download: loaded once the download completes",
    "temporary": "temporary file, not a report",
}


def skipped(name: str, kind: str, detail: str | None = None) -> SkippedEntry:
    reason = SKIP_REASONS[kind]
    return SkippedEntry(name, kind, f"{reason} ({detail})" if detail else reason)


def kind_of(name: str, mode: int) -> str | None:
    """Why an entry with this file name and `lstat` mode is not loaded; None for a report.

    Pure: the file-type bits first (a link named like a report is still a link), then names
    that are never reports (hidden files, Office lock files "~$x.xlsx", partial downloads).
    """
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
        return "device"
    if not stat.S_ISREG(mode):
        return "other"
    if name.startswith("~$"):
        return "office_lock"
    if name.startswith("."):
        return "hidden"
    if name.endswith((".part", ".crdownload")):
        return "partial_download"
    if name.endswith(".tmp"):
        return "temporary"
    return None


def _walk(folder: Path, unreadable: Callable[[Path, OSError], None]
          ) -> Iterator[tuple[Path, os.stat_result]]:
    """Every entry under `folder` with its `lstat`, walking into real folders only."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as error:
        unreadable(folder, error)
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # gone before it was looked at: nothing was received
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, unreadable)
        else:
            yield path, info


def scan_entries(inbox: Path) -> InboxScan:
    """Every entry under the inbox: the files to receive and the entries skipped, each in
    path order (as `sorted(inbox.rglob("*"))` gives them)."""
    if not inbox.is_dir():
        return InboxScan([], [])
    found: list[tuple[Path, InboxFile | SkippedEntry]] = []

    def relative(path: Path) -> str:
        return path.relative_to(inbox).as_posix()

    def unreadable(folder: Path, error: OSError) -> None:
        # The inbox itself too (as "."): then nothing under it is seen, and the summary says why.
        found.append((folder, skipped(relative(folder), "unreadable_folder", error.strerror)))

    for path, info in _walk(inbox, unreadable):
        name = relative(path)
        kind = kind_of(path.name, info.st_mode)
        if kind is None and not os.access(path, os.R_OK):
            found.append((path, skipped(name, "unreadable", "permission denied")))
            continue
        if kind is not None:
            found.append((path, skipped(name, kind)))
            continue
        found.append((path, InboxFile(
            path=path, name=name, size_bytes=info.st_size,
            modified_at=datetime.fromtimestamp(info.st_mtime, UTC),
        )))
    found.sort(key=lambda item: item[0])
    return InboxScan(
        files=[entry for _, entry in found if isinstance(entry, InboxFile)],
        skipped=[entry for _, entry in found if isinstance(entry, SkippedEntry)],
    )

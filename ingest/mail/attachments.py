"""The report files a message carries: its attachments of the report kinds, and the report
files inside an attached zip (one level).

Units attach workbooks (xlsx, xls, ods), CSV files, and sometimes a zip of them. Everything
else (a scanned PDF, a Word letter, a signature image) is not a report: it is noted, with why,
never silently dropped. A zip is opened only as far as ingest/limits.py allows a workbook to
be: its members counted, their declared and real sizes bounded while they are read (a zip
bomb declares small sizes), their compression ratios checked. Members in folders are taken by
their own name (the folder says nothing the report does not); a zip inside the zip is not
opened (one level, as the contract says).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from ingest.limits import Limits
from ingest.mail.names import safe_name, zip_member_name

REPORT_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
MAX_ZIP_MEMBERS = 100  # a unit zips a handful of reports
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Attachment:
    name: str  # decoded and made safe (names.safe_name)
    data: bytes
    origin: str = ""  # "in <zip name>" for a zip's member


@dataclass(frozen=True)
class Expanded:
    files: tuple[Attachment, ...]
    notes: tuple[str, ...]  # what was not taken, and why (English, for the data team)


def is_report_name(name: str) -> bool:
    return PurePath(name.lower()).suffix in REPORT_EXTENSIONS


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes | None:
    """The member's bytes, or None as soon as more than `most` come out (whatever it
    declared)."""
    out = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            out += chunk
            if len(out) > most:
                return None
    return bytes(out)


def expand_zip(name: str, data: bytes, limits: Limits) -> Expanded:
    """The report files of an attached zip, within the limits; notes for the rest."""
    files: list[Attachment] = []
    notes: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        return Expanded((), (f"{name}: not a readable zip ({error})",))
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            return Expanded((), (f"{name}: {len(members)} files in the zip, more than "
                                 f"{MAX_ZIP_MEMBERS}: not opened",))
        budget = limits.max_inflated_bytes
        for info in members:
            member = zip_member_name(info.filename, bool(info.flag_bits & 0x800))
            shown = safe_name(member)
            if not is_report_name(shown):
                notes.append(f"{name}: {shown} is not a report file (xlsx, xls, ods, csv)")
                continue
            if info.flag_bits & 0x1:
                notes.append(f"{name}: {shown} is encrypted: not read")
                continue
            most = min(limits.max_file_bytes, budget)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= limits.ratio_min_member_bytes and \
                    ratio > limits.max_compression_ratio:
                notes.append(f"{name}: {shown} expands {ratio:.0f} times (a zip bomb?): not read")
                continue
            try:
                content = _read_bounded(archive, info, most)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as error:
                notes.append(f"{name}: {shown} cannot be read ({error})")
                continue
            if content is None:
                notes.append(f"{name}: {shown} is larger than {most} bytes once unzipped:"
                             " not read")
                budget = 0
                continue
            budget -= len(content)
            files.append(Attachment(shown, content, origin=f"in {name}"))
    return Expanded(tuple(files), tuple(notes))


def report_files(name: str, data: bytes, limits: Limits) -> Expanded:
    """An attachment as report files: itself, the report files of a zip, or nothing."""
    if is_report_name(name):
        return Expanded((Attachment(name, data),), ())
    if name.lower().endswith(".zip"):
        return expand_zip(name, data, limits)
    return Expanded((), (f"{name}: not a report file (xlsx, xls, ods, csv or a zip of them)",))

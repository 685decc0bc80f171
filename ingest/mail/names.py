"""Attachment names as people wrote them, and made safe to store and to show.

Units' mail programs encode Vietnamese file names every way the standards allow: RFC 2047
encoded words (`=?utf-8?B?...?=`, `=?windows-1258?Q?...?=`), RFC 2231 parameters
(`filename*=utf-8''B%C3%A1o%20c%C3%A1o.xlsx`, split over `filename*0*`, `filename*1*`), and
raw 8-bit bytes in no declared charset at all (UTF-8 or the Windows code page 1258). The email
package decodes the standard forms; what it cannot (raw bytes, an unknown charset) is decoded
here, UTF-8 first, then cp1258 (every byte is a character there: never an exception).

A decoded name comes from a stranger: it may be `../../etc/passwd`, `C:\\x\\y.xlsx`, carry
control characters, or start with `=` so that a spreadsheet showing it runs a formula
(`=HYPERLINK(...)`). `safe_name` keeps only the last path part, printable characters, and puts
`_` before a leading `=`, `+`, `-`, `@`, so a name is a plain file name wherever it goes.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.safe_text import FORMULA_TRIGGERS

MAX_NAME_CHARS = 150  # a file system allows 255 bytes; Vietnamese UTF-8 is ~1,5 bytes a char
DEFAULT_NAME = "tep_dinh_kem"  # "attachment", for a part with no usable name
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")  # controls, and what Windows refuses


def decode_bytes(data: bytes) -> str:
    """Text of bytes in an unknown charset: UTF-8 if it is valid UTF-8, else cp1258 (which
    decodes every byte), normalised to NFC (cp1258 writes tones as combining marks)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def repair(text: str) -> str:
    """A header value the email package decoded with raw 8-bit bytes kept as surrogates
    (its way of saying "undeclared charset"): those bytes decoded by `decode_bytes`."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return unicodedata.normalize("NFC", text)
    return decode_bytes(text.encode("utf-8", errors="surrogateescape"))


def safe_name(name: str | None) -> str:
    """A plain file name: the last path part of `name`, printable, not hidden, not a formula,
    at most MAX_NAME_CHARS characters (the extension kept)."""
    text = unicodedata.normalize("NFC", repair(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text).strip().strip(".").strip()
    if text.startswith(FORMULA_TRIGGERS):
        text = "_" + text.lstrip("".join(FORMULA_TRIGGERS))
    if len(text) > MAX_NAME_CHARS:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = stem[: MAX_NAME_CHARS - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_NAME_CHARS]
    return text if text.strip("_ ") else DEFAULT_NAME


def zip_member_name(name: str, utf8_flag: bool) -> str:
    """A zip member's name: zipfile decodes a name without the UTF-8 flag as cp437, which is
    what old Windows zips used; Vietnamese Windows writes UTF-8 or cp1258 bytes there."""
    if utf8_flag:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    return decode_bytes(raw)

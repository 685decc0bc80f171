"""What a received file really is, judged from its bytes, and whether that matches its name.

Offices rename files, portals export HTML as ".xls", a PDF printout gets attached as
".xlsx". Guessing silently would load the wrong thing or fail deep inside a parser with an
unhelpful error, so the kind is sniffed from the content and a file whose content is not what
its extension says is rejected with a reason the officer can act on. A file without a known
extension (e.g. read back from the content-addressed archive) is judged by content alone.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from ingest.text import Problem

SUPPORTED_KINDS = ("xlsx", "xls", "ods", "csv")

EXTENSION_KIND: dict[str, str] = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv", ".txt": "csv",
}

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# How each sniffed kind is named to an officer.
KIND_LABEL_VI: dict[str, str] = {
    "xlsx": "bảng tính Excel (.xlsx)",
    "xls": "bảng tính Excel 97-2003 (.xls)",
    "ods": "bảng tính OpenDocument (.ods)",
    "csv": "tệp văn bản (CSV)",
    "pdf": "tệp PDF",
    "docx": "văn bản Word (.docx)",
    "pptx": "tệp PowerPoint (.pptx)",
    "odf": "tài liệu OpenDocument không phải bảng tính",
    "doc": "văn bản Word 97-2003 (.doc)",
    "ole": "tệp Office 97-2003 không phải bảng tính",
    "zip": "tệp nén ZIP",
    "archive": "tệp nén (RAR, 7z, gzip)",
    "html": "trang web (HTML)",
    "xml": "tệp XML",
    "image": "tệp ảnh",
    "binary": "tệp nhị phân không rõ định dạng",
}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 200:
                    mimetype = archive.read("mimetype").strip()
                    if mimetype == ODS_MIMETYPE:
                        return "ods"
                    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                        return "odf"
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("ppt/") for n in names):
                    return "pptx"
                return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
            RuntimeError, NotImplementedError):
        # Truncated or damaged: the central directory at the end is missing or unreadable.
        return "zip_corrupt"
    return "zip"


# Every byte except the control characters that never occur in text (tab, line feed, form feed
# and carriage return do).
NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 13, 12)))


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = len(head.translate(None, NOT_CONTROL))  # delete the rest, count what is left
    return controls <= max(1, len(head) // 100)


def sniff(data: bytes) -> str:
    """The content's kind: one of SUPPORTED_KINDS, "empty", "encrypted", "zip_corrupt", or a key
    of KIND_LABEL_VI for content that is not a report."""
    if not data:
        return "empty"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if data.startswith(OLE2_MAGIC):
        # Office encrypts an .xlsx by wrapping it in an OLE2 file with an EncryptedPackage stream.
        if _utf16("EncryptedPackage") in data:
            return "encrypted"
        if _utf16("Workbook") in data or _utf16("Book") in data:
            return "xls"
        if _utf16("WordDocument") in data:
            return "doc"
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return "image"
    if data.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return "archive"
    head = data[:65536]
    if not _looks_like_text(head):
        return "binary"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "html"
    if lowered.startswith(b"<?xml"):
        return "xml"
    return "csv"


def extension_kind(file_name: str) -> str | None:
    """The kind a file name promises, or None for an unknown or missing extension."""
    return EXTENSION_KIND.get(PurePath(file_name).suffix.lower())


def detect_kind(data: bytes, file_name: str) -> str:
    """Return xlsx | xls | ods | csv, or raise Problem("unreadable", …) saying why not."""
    kind = sniff(data)
    promised = extension_kind(file_name)
    suffix = PurePath(file_name).suffix.lower()
    if kind == "empty":
        raise Problem("unreadable", "tệp rỗng (0 byte), không có nội dung; hãy gửi lại tệp báo cáo")
    if kind == "encrypted":
        raise Problem("unreadable", "tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy gỡ "
                                    "mật khẩu rồi gửi lại", detail="encrypted OOXML package")
    if kind == "zip_corrupt":
        raise Problem("unreadable", "tệp bị hỏng hoặc không đầy đủ (có thể tải lên chưa hết), "
                                    "không mở được; hãy gửi lại tệp", detail="damaged zip")
    if kind in SUPPORTED_KINDS:
        if promised is None or promised == kind:
            return kind
        raise Problem(
            "unreadable",
            f"tệp có đuôi {suffix} nhưng nội dung là {KIND_LABEL_VI[kind]}; hãy mở tệp và lưu "
            f"lại đúng định dạng {suffix} rồi gửi lại",
            detail=f"extension {suffix} but content is {kind}",
        )
    label = KIND_LABEL_VI.get(kind, KIND_LABEL_VI["binary"])
    if promised is not None:
        what = (f"tệp có đuôi {suffix} nhưng nội dung là {label}, không phải bảng tính báo cáo; "
                f"hãy gửi tệp báo cáo theo mẫu (.xlsx, .xls, .ods hoặc .csv)")
    else:
        what = (f"nội dung tệp là {label}, không phải báo cáo theo mẫu "
                f"(.xlsx, .xls, .ods hoặc .csv)")
    raise Problem("unreadable", what, detail=f"content sniffed as {kind}")

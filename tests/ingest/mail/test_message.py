"""Reading a received message: real messages built with the standard library's email package
(and by hand where mail programs break the standards), each read as the warehouse reads it."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from email.message import EmailMessage

import pytest

from ingest.limits import Limits
from ingest.mail import parse_message
from ingest.mail.names import safe_name

XLSX = b"PK\x03\x04 a workbook"


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks cp1258 has as combining


def cp1258(text: str) -> bytes:
    """`text` as Vietnamese Windows writes it: a precomposed letter where the code page has one,
    else the letter and its tone as a combining mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(mark for mark in parts if mark in TONES)
            letter = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += (letter + tone).encode("cp1258")
    return out


def encoded_word(text: str) -> str:
    """`text` as an RFC 2047 encoded word in windows-1258, quoted-printable."""
    quoted = "".join(chr(b) if chr(b).isalnum() or chr(b) == "." else f"={b:02X}"
                     for b in cp1258(text))
    return f"=?windows-1258?Q?{quoted}?="


def message(text: str = "Gửi báo cáo.", *, subject: str = "Báo cáo năm 2024",
            attachments: tuple[tuple[str, bytes], ...] = (), html: str | None = None,
            headers: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Nguyễn Văn A <CanBo.STP10@LaoCai.TuPhap.example>"
    msg["To"] = "baocao@tuphap.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@laocai.tuphap.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def raw_with_part_header(disposition: str, data: bytes = XLSX) -> bytes:
    """A message whose attachment header is written as a mail program wrote it."""
    import base64
    return (b"From: canbo@x.example\r\nSubject: bc\r\nMessage-ID: <r@x.example>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nxin gui\r\n"
            b"--B\r\nContent-Type: application/octet-stream\r\n"
            + disposition.encode("latin-1") if isinstance(disposition, str) else disposition
            ) + (b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 + base64.b64encode(data) + b"\r\n--B--\r\n")


def test_sender_ids_text_and_an_attachment_with_an_rfc2231_name() -> None:
    inbound = parse_message(message(attachments=(("Báo cáo THADS 2024.xlsx", XLSX),)).as_bytes())
    assert inbound.sender == "canbo.stp10@laocai.tuphap.example"
    assert inbound.message_id == "<m1@laocai.tuphap.example>"
    assert inbound.subject == "Báo cáo năm 2024"
    assert [(a.name, a.data) for a in inbound.attachments] == [("Báo cáo THADS 2024.xlsx", XLSX)]
    assert inbound.problems == ()


@pytest.mark.parametrize("disposition", [
    # RFC 2047 in a quoted parameter, as Outlook and Thunderbird write it
    'Content-Disposition: attachment; filename="=?utf-8?B?QsOhbyBjw6FvIFRIQURTLnhsc3g=?="',
    # RFC 2047, code page 1258 (tones as combining marks), quoted-printable
    f'Content-Disposition: attachment; filename="{encoded_word("Báo cáo THADS.xlsx")}"',
    # RFC 2231 split over continuations
    "Content-Disposition: attachment; filename*0*=utf-8''B%C3%A1o%20c;"
    " filename*1*=%C3%A1o%20THADS.xlsx",
])
def test_encoded_vietnamese_names_are_decoded(disposition: str) -> None:
    (attachment,) = parse_message(raw_with_part_header(disposition)).attachments
    assert attachment.name == "Báo cáo THADS.xlsx"


def test_a_raw_8bit_name_in_utf8_or_cp1258_is_decoded() -> None:
    utf8 = 'Content-Disposition: attachment; filename="Báo cáo.xlsx"'.encode()
    cp1258_name = cp1258('Content-Disposition: attachment; filename="Báo cáo.xlsx"')
    for header in (utf8, cp1258_name):
        (attachment,) = parse_message(raw_with_part_header(header)).attachments
        assert attachment.name == "Báo cáo.xlsx"


@pytest.mark.parametrize(("given", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\a\\Báo cáo.xlsx", "Báo cáo.xlsx"),
    ("=HYPERLINK(A1).xlsx", "_HYPERLINK(A1).xlsx"), ("=1+2.csv", "_1+2.csv"),
    ("=HYPERLINK(\"http://x.example\").csv", "x.example_).csv"),  # a path: its last part
    ("+cmd.csv", "_cmd.csv"), ("@x.xlsx", "_x.xlsx"), ("-2.csv", "_2.csv"),
    ("..", "tep_dinh_kem"), ("", "tep_dinh_kem"), (".hidden.xlsx", "hidden.xlsx"),
    ("a\x00b\r\n.xlsx", "a_b__.xlsx"),
])
def test_names_are_made_safe(given: str, safe: str) -> None:
    assert safe_name(given) == safe


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_name("Báo cáo " * 40 + ".xlsx")
    assert len(name) <= 150 and name.endswith(".xlsx")


def test_other_files_are_noted_not_taken() -> None:
    inbound = parse_message(message(attachments=(("cong van.pdf", b"%PDF-1.4"),
                                                 ("bao cao.csv", b"a,b\n"))).as_bytes())
    assert [a.name for a in inbound.attachments] == ["bao cao.csv"]
    assert inbound.notes == ("cong van.pdf: not a report file (xlsx, xls, ods, csv or a zip of"
                             " them)",)


def zipped(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_is_expanded_one_level_with_folders_flattened() -> None:
    inner = zipped({"x.xlsx": XLSX})
    data = zipped({"baocao/2024/Báo cáo STP.xlsx": XLSX, "../evil.csv": b"a\n",
                   "ghi chu.docx": b"d", "them.zip": inner, "thu muc/": b""})
    inbound = parse_message(message(attachments=(("bao cao.zip", data),)).as_bytes())
    assert [(a.name, a.origin) for a in inbound.attachments] == [
        ("Báo cáo STP.xlsx", "in bao cao.zip"), ("evil.csv", "in bao cao.zip")]
    assert len(inbound.notes) == 2  # the Word file and the zip in the zip, each said


def test_a_zip_bomb_is_not_expanded() -> None:
    bomb = zipped({"bom.csv": b"0" * (4 << 20)})
    limits = Limits(ratio_min_member_bytes=1 << 20, max_compression_ratio=100)
    inbound = parse_message(message(attachments=(("bom.zip", bomb),)).as_bytes(), limits)
    assert inbound.attachments == ()
    assert "zip bomb" in inbound.notes[0]
    # a member lying about its size is cut off as it is read
    small = Limits(max_file_bytes=1000, max_inflated_bytes=1000)
    inbound = parse_message(message(attachments=(("x.zip", zipped({"a.csv": b"1" * 5000})),))
                            .as_bytes(), small)
    assert inbound.attachments == () and "larger than 1000 bytes" in inbound.notes[0]


def test_a_broken_zip_is_noted() -> None:
    inbound = parse_message(message(attachments=(("x.zip", b"PK\x03\x04broken"),)).as_bytes())
    assert inbound.attachments == () and "not a readable zip" in inbound.notes[0]


REPLY = """Số 4.956 gồm cả các việc giải quyết sau ngày 30/9; số liệu đã sửa sẽ gửi sau.

Trân trọng,
--
Nguyễn Văn A
Vào Th 2, 10 thg 12, 2024 lúc 09:00 tuphap <bot@tuphap.example> đã viết:
> - [Lỗi] biểu THADS_VIEC: ... Mã vấn đề: [#aaaaaaaaaaaa]
> - [Cảnh báo] ... Mã vấn đề: [#bbbbbbbbbbbb]
"""


def test_a_reply_keeps_only_what_the_officer_wrote_and_its_tokens() -> None:
    inbound = parse_message(message(REPLY + "\n", subject="Re: [#cccccccccccc] giải trình")
                            .as_bytes())
    assert inbound.text == ("Số 4.956 gồm cả các việc giải quyết sau ngày 30/9; số liệu đã"
                            " sửa sẽ gửi sau.\n\nTrân trọng,")
    assert inbound.tokens == ("cccccccccccc",)  # not the two quoted ones


@pytest.mark.parametrize("quote", [
    "On Mon, 10 Dec 2024 at 09:00, tuphap <bot@tuphap.example> wrote:\n> [#aaaaaaaaaaaa]",
    "-----Original Message-----\nFrom: bot\n[#aaaaaaaaaaaa]",
    "From: tuphap <bot@tuphap.example>\nSent: Monday\nTo: a\n[#aaaaaaaaaaaa]",
    "Từ: tuphap\nGửi: Thứ Hai\nTiêu đề: x\n[#aaaaaaaaaaaa]",
])
def test_quotes_of_every_mail_program_are_stripped(quote: str) -> None:
    inbound = parse_message(message("Số liệu đúng [#dddddddddddd].\n\n" + quote).as_bytes())
    assert inbound.text == "Số liệu đúng [#dddddddddddd]."
    assert inbound.tokens == ("dddddddddddd",)


def test_a_token_only_in_the_quote_counts_when_it_is_the_only_one() -> None:
    one = parse_message(message("Số liệu đúng.\n\n> Mã vấn đề: [#AAAAAAAAAAAA]").as_bytes())
    assert one.tokens == ("aaaaaaaaaaaa",)
    two = parse_message(message("Đúng.\n\n> [#aaaaaaaaaaaa]\n> [#bbbbbbbbbbbb]").as_bytes())
    assert two.tokens == ()


def test_html_only_mail_becomes_text_and_nothing_is_fetched() -> None:
    markup = ('<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>'
              '<div>Số liệu đúng&nbsp;[#eeeeeeeeeeee]<br>vì có việc ủy thác.</div>'
              '<img src="http://tracker.example/p.png">'
              '<div class="gmail_quote">On ... wrote:<blockquote>[#ffffffffffff]</blockquote>'
              '</div></body></html>')
    inbound = parse_message(message(html=markup).as_bytes())
    assert inbound.text == "Số liệu đúng [#eeeeeeeeeeee]\nvì có việc ủy thác."
    assert inbound.tokens == ("eeeeeeeeeeee",)


def test_a_wrong_or_unknown_charset_is_read_as_well_as_can_be() -> None:
    body = cp1258("Số liệu đúng")
    for charset in (b"x-viet", b"utf-8"):
        raw = (b"From: a@x.example\r\nSubject: x\r\nContent-Type: text/plain; charset="
               + charset + b"\r\n\r\n" + body + b"\r\n")
        inbound = parse_message(raw)
        assert inbound.text == "Số liệu đúng"
    assert parse_message(raw).sender == "a@x.example"


def test_empty_and_broken_messages_are_records_not_exceptions() -> None:
    assert parse_message(b"").problems == ("the message is empty",)
    broken = (b"From: a@x.example\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n"
              b"--Q\r\nContent-Type: text/plain\r\n\r\nhi\r\n")  # never closed
    inbound = parse_message(broken)
    assert inbound.text == "hi" and inbound.problems
    assert parse_message(b"\xff\xfe\x00garbage").attachments == ()


def test_dmarc_and_auto_replies_are_read_from_the_headers() -> None:
    inbound = parse_message(message(headers={
        "Authentication-Results": "mx.tuphap.example; spf=pass; dmarc=fail (p=none)",
        "Auto-Submitted": "auto-replied"}).as_bytes())
    assert inbound.dmarc == "fail" and inbound.auto_submitted
    assert parse_message(message().as_bytes()).dmarc is None

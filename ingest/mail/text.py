"""The new text of a reply: what the unit wrote, without what it quoted or signed.

A unit answers an issue by replying to the warehouse's message. Its mail program adds the
message it answers below (or, in Outlook, under a "From: ... Sent: ..." block), and often a
signature. Only what the officer wrote is the unit's explanation, and only the tokens `[#…]`
in it (or in the subject) name the issues it explains: the quoted message lists every issue
of the receipt. Mail programs mark these parts in a few well-known ways, in English and in
Vietnamese, recognised here line by line.

HTML-only mail is turned into text by the standard library's parser: text kept, `<br>`, `<p>`,
`<div>`, `<li>` as line breaks, `<blockquote>` (a quote), `<script>`, `<style>` and `<head>`
dropped, and nothing it links to (images, styles, links) is ever fetched.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

TOKEN = re.compile(r"\[#([0-9a-fA-F]{8,64})\]")

# A line where the quoted message starts (everything from it on is quoted).
_QUOTE_HEADERS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^-{2,}\s*(original message|thư gốc|forwarded message|thư đã chuyển tiếp|"
    r"tin nhắn gốc)\s*-{2,}\s*$",
    r"^_{10,}\s*$",  # Outlook's rule above the quoted header
    r"^(on|vào|lúc)\s.+(wrote|viết|đã viết)\s*:\s*$",  # Gmail, Thunderbird, Apple Mail
    r"^.+\s(đã viết|wrote)\s*:\s*$",
)]
_HEADER_BLOCK = re.compile(r"^\s*\**(from|từ|người gửi)\s*:\**\s", re.IGNORECASE)
_HEADER_FOLLOWS = re.compile(r"^\s*\**(sent|date|gửi|ngày|to|đến|subject|tiêu đề|chủ đề)\s*:",
                             re.IGNORECASE)
# A signature: "-- " on its own line (RFC 3676), or a phone's.
_SIGNATURE = re.compile(r"^(--\s?|sent from my .+|gửi từ .+ của tôi)$", re.IGNORECASE)


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
        return True
    # "On Mon, 10 Dec 2024, someone\n<a@b> wrote:" split over two lines by the mail program
    if index + 1 < len(lines) and re.match(r"^(on|vào)\s", line, re.IGNORECASE) and re.search(
            r"(wrote|đã viết)\s*:\s*$", lines[index + 1].strip(), re.IGNORECASE):
        return True
    # Outlook: "From: ..." followed by "Sent: ..." (or "Date:", "To:") within three lines
    return bool(_HEADER_BLOCK.match(line)) and any(
        _HEADER_FOLLOWS.match(following) for following in lines[index + 1:index + 4])


def split_reply(text: str) -> tuple[str, str]:
    """(what the sender wrote, what it quoted or signed): a line starting the quote, a `>`
    line, or a signature line ends the new text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or _SIGNATURE.match(line.strip()) \
                or _starts_quote(lines, index):
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:])
    return text.strip(), ""


def new_text(text: str) -> str:
    return split_reply(text)[0]


def tokens(text: str) -> tuple[str, ...]:
    """The issue tokens in `text`, lower-cased, in order, each once."""
    return tuple(dict.fromkeys(match.lower() for match in TOKEN.findall(text)))


class _TextOfHtml(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
    _DROPPED = {"script", "style", "head", "title", "blockquote"}
    _VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped: str | None = None  # the tag whose content is being dropped
        self.depth = 0  # of that tag, nested in itself

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropped is not None:
            self.depth += tag == self.dropped
            return
        # Gmail and Outlook mark their quote with a class: dropped like a blockquote
        quoted = any(name == "class" and value and ("gmail_quote" in value or
                     "OutlookMessageHeader" in value) for name, value in attrs)
        if (tag in self._DROPPED or quoted) and tag not in self._VOID:
            self.dropped, self.depth = tag, 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.dropped is not None:
            if tag == self.dropped:
                self.depth -= 1
                if not self.depth:
                    self.dropped = None
            return
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.dropped is None:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The text of an HTML body (module doc: what is kept and dropped)."""
    parser = _TextOfHtml()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: what was read so far
        pass
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

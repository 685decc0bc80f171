"""Mail from the units, read: a received message's sender, threading headers, new text, issue
tokens and report attachments (message.py), their names decoded and made safe (names.py), zips
expanded within limits (attachments.py), quotes and signatures stripped (text.py). Pure."""

from ingest.mail.attachments import Attachment
from ingest.mail.message import Inbound, parse_message

__all__ = ["Attachment", "Inbound", "parse_message"]

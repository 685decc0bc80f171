"""Receiving the inbox: the `raw_reports` asset, the archive, parsing, the raw rows."""

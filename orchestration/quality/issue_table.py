"""`tuphap issues` as the data team reads it in a terminal: a fixed-width table of issues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ingest.mail.text import TOKEN

_TABLE_COLUMNS = (
    ("fingerprint", "ID", lambda r: str(r["fingerprint"])[:12]),
    ("severity", "SEVERITY", lambda r: str(r["severity"])),
    ("rule_id", "RULE", lambda r: str(r["rule_id"])),
    ("unit_code", "UNIT", lambda r: str(r["unit_code"])),
    ("year", "YEAR", lambda r: str(r["year"])),
    ("form", "FORM", lambda r: str(r["form"] or "")),
    ("status", "STATUS", lambda r: str(r["status"])),
)
EXPLANATION_CHARS = 100  # of a unit's explanation shown under its issue


def shortened(text: str, limit: int = EXPLANATION_CHARS) -> str:
    """A unit's explanation on one line, without the issues' tokens `[#…]` it carries (the
    issue's code is shown beside it), cut at `limit` characters (with …)."""
    text = " ".join(TOKEN.sub(" ", text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def format_issues_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """A fixed-width table for the terminal; the Vietnamese message is the last column.

    IDs are the first 12 characters of the fingerprint, enough for `tuphap ack`.
    """
    if not rows:
        return "No issues."
    cells = [[fmt(r) for _, _, fmt in _TABLE_COLUMNS] for r in rows]
    headers = [title for _, title, _ in _TABLE_COLUMNS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str], message: str) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + "  " + message

    out = [line(headers, "MESSAGE"), line(["-" * w for w in widths], "-" * 7)]
    for c, r in zip(cells, rows, strict=True):
        out.append(line(c, str(r["message"])))
        if r.get("explanation"):
            out.append(" " * (sum(widths) + 2 * len(widths))
                       + f"giải trình: {shortened(str(r['explanation']))}")
    errors = sum(1 for r in rows if r["severity"] == "error")
    out.append(f"{len(rows)} issue(s): {errors} error(s), {len(rows) - errors} warning(s).")
    return "\n".join(out)

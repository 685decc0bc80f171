"""Where things live and how they are configured: flags, then environment, then defaults.

The defaults make `make demo` work with no configuration; every setting can be overridden with a
TUPHAP_* environment variable, which is also how the CLI hands its flags to the Dagster run.
Standard library only, and nothing happens at import: the dbt shim and the warm dbt process
import this module and start in milliseconds. The bottom layer of orchestration/: it imports
nothing of the project but `ingest.constants`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.constants import SCOPES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "tuphap.duckdb"
DEFAULT_INBOX = PROJECT_ROOT / "data" / "inbox"
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"

# No internet here: a blocked telemetry call is only a delay.
TELEMETRY_OFF = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


def disable_telemetry() -> None:
    """Turn telemetry off for this process and its children. Called by the entry points (the
    CLI, the code location when Dagster loads it), never at import."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


# The --warehouse flag of every command.
WAREHOUSE_HELP = ("a DuckDB file or a postgresql://USER@HOST:PORT/DB URL "
                  "(TUPHAP_WAREHOUSE; warehouse/tuphap.duckdb)")


# A warehouse address with one of these prefixes is a PostgreSQL database; any other, a DuckDB
# file path (orchestration.warehouse.engine.engine_for builds the engine that serves it).
SERVER_SCHEMES = ("postgresql://", "postgres://")


def warehouse_address(value: str | os.PathLike[str] | None = None) -> str:
    """Where the published warehouse is: flag, then TUPHAP_WAREHOUSE, then the project default:
    a DuckDB file path, or a postgresql:// URL."""
    return str(value or os.environ.get("TUPHAP_WAREHOUSE") or DEFAULT_WAREHOUSE)


def is_server_address(address: str) -> bool:
    return address.startswith(SERVER_SCHEMES)


def warehouse_kind(value: str | None = None) -> str:
    """The engine of the configured warehouse, as a Dagster asset kind: "postgres" for a
    postgresql:// URL, else "duckdb" (the UI shows it on the assets that write it)."""
    return "postgres" if is_server_address(warehouse_address(value)) else "duckdb"


def inbox_path(value: str | None = None) -> Path:
    return Path(value or os.environ.get("TUPHAP_INBOX") or DEFAULT_INBOX).resolve()


def scope(value: str | None = None) -> str:
    chosen = (value or os.environ.get("TUPHAP_SCOPE") or "cluster").strip().lower()
    if chosen not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {chosen!r}")
    return chosen


def optional_path(variable: str) -> Path | None:
    """A file the data team may configure (TUPHAP_CONTACTS, TUPHAP_CALENDAR); None when unset."""
    text = os.environ.get(variable, "").strip()
    return Path(text).expanduser() if text else None


YEARLY_REPORTS_ENV = "TUPHAP_YEARLY_REPORTS"
YEARLY_REPORTS_MODES = ("after-load", "off")


def yearly_reports_after_load() -> bool:
    """Whether each load's yearly reports are made after it (TUPHAP_YEARLY_REPORTS:
    `after-load`, the default, or `off` for a warehouse whose reports nobody reads, such as a
    scratch copy or a test's: `tuphap report --year N` still writes one on demand)."""
    mode = (os.environ.get(YEARLY_REPORTS_ENV) or "after-load").strip().lower()
    if mode not in YEARLY_REPORTS_MODES:
        raise ValueError(f"{YEARLY_REPORTS_ENV} must be one of {', '.join(YEARLY_REPORTS_MODES)},"
                         f" not {mode!r}")
    return mode == "after-load"


def mailbox_configured() -> bool:
    """Whether units' mail is pulled from a mailbox (TUPHAP_IMAP_URL: orchestration/mailbox)."""
    return bool(os.environ.get("TUPHAP_IMAP_URL", "").strip())


def mailbox_reply_address() -> str | None:
    """Where units' answers go when a mailbox is configured: TUPHAP_IMAP_ADDRESS, or the user
    of TUPHAP_IMAP_URL when it is an address (imaps://baocao%40tuphap.example@host/INBOX).
    Messages to units then carry it as Reply-To, so a reply that explains reaches the pull."""
    from urllib.parse import unquote, urlsplit

    if not mailbox_configured():
        return None
    given = os.environ.get("TUPHAP_IMAP_ADDRESS", "").strip()
    if given:
        return given
    user = unquote(urlsplit(os.environ["TUPHAP_IMAP_URL"].strip()).username or "")
    return user if "@" in user else None


def remind_days() -> int:
    """Days between two reminders of a unit's open error (TUPHAP_REMIND_DAYS, default 7)."""
    text = os.environ.get("TUPHAP_REMIND_DAYS", "").strip() or "7"
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"TUPHAP_REMIND_DAYS must be a whole number of days, not {text!r}")
    return int(text)

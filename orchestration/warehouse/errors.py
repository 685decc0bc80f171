"""What can go wrong between a command and the warehouse, whatever the engine."""

from __future__ import annotations

from ingest.errors import TuphapError


class LoadInProgressError(TuphapError, RuntimeError):
    """Another load holds the warehouse; raised after waiting for the configured time."""


class WarehouseMissingError(TuphapError, FileNotFoundError):
    """No load has published a warehouse at this address yet."""


class WarehouseUnreachableError(TuphapError, RuntimeError):
    """The warehouse's server refused or could not be reached; the message names the host,
    port, database and role, never the password."""


class LoadLockLostError(TuphapError, RuntimeError):
    """The load's lock session ended (a server restart) before the publish: another load may
    have started since, so this one must not publish."""

"""What can go wrong between a load and the warehouse, whatever the engine."""

from __future__ import annotations


class LoadInProgressError(RuntimeError):
    """Another load holds the warehouse; raised after waiting for the configured time."""


class WarehouseMissingError(FileNotFoundError):
    """No load has published a warehouse at this address yet."""

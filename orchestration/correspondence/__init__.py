"""Correspondence with the units: the contacts register, receipts, each unit's issues, reminders."""

"""Targets (chỉ tiêu): what each unit was assigned and whether it reached it.

The decisions arrive like reports (ingest/targets, the `raw_reports` asset) and dbt builds the
public table `fct_target_achievement`. This package reads that table for people: `tuphap targets
--year N` prints it the Vietnamese way (read.py, table.py; the command itself is
orchestration/cli/targets.py).
"""

"""The dbt project in Dagster: assets, resource, warm process, selective builds.

Kept empty: `python -m orchestration.dbt.warm` and the `tuphap-dbt` shim import this package
and must start in milliseconds.
"""

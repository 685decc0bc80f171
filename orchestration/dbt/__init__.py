"""The dbt project in Dagster: the project, its resource, its assets, selective builds.

How dbt is started quickly (the warm process, the `tuphap-dbt` shim, the parse cache) is
process management, in orchestration/runtime/.
"""

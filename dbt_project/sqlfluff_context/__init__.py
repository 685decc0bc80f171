"""dbt's `var()`, `env_var()` and `adapter` for sqlfluff's jinja templater (library_path in
.sqlfluff).

sqlfluff's dbt builtins render every `var()` as the placeholder string "item", so a loop over
an indicator list (`for indicator in var('dissemination_indicators')`) would lint four columns
named i, t, e, m. Reading the real values from dbt_project.yml keeps one home for the vars and
lets the linter see the SQL dbt compiles, without a database or a dbt parse.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.runtime import missing

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


def env_var(name: str, default: str | None = None) -> str:
    """dbt's env_var(): the environment's value, else the default (dbt fails when neither)."""
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"env var {name!r} is not set and has no default")
    return value


@cache
def _project_vars() -> dict[str, Any]:
    with PROJECT_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars") or {})


def var(name: str, default: Any = None) -> Any:
    """dbt's var(): the project's value (a string rendered as dbt renders it), else the default."""
    value = _project_vars().get(name, default)
    if isinstance(value, str) and "{{" in value:
        return jinja2.Template(value).render(env_var=env_var)
    return value


class _Adapter:
    """dbt's `adapter` for the linter. `adapter.dispatch(name, namespace)` resolves as dbt does
    on DuckDB (the linter's dialect): the `duckdb__` implementation, else `default__`, so
    sqlfluff lints the SQL that the DuckDB build runs. `quote` quotes as DuckDB does."""

    @jinja2.pass_context
    def dispatch(self, context: Any, macro_name: str, macro_namespace: str | None = None) -> Any:
        for prefix in ("duckdb__", "default__"):
            found = context.resolve_or_missing(prefix + macro_name)
            if found is not missing:
                return found
        raise KeyError(f"no duckdb__ or default__ implementation of {macro_name!r}")

    @staticmethod
    def quote(identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'


adapter = _Adapter()
